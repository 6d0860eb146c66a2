//! Promise API: delivery-date estimates (`narvar-api.md` §7).

use super::common::{ApiMessage, Attributes, EnvelopeStatus};
use crate::values::{Amount, Quantity};

model! {
    /// Money with its currency. The server API spells the currency `currency`, the client
    /// samples `currency_code`; both are kept.
    pub struct Money {
        pub amount: Option<Amount>,
        pub currency: Option<String>,
        pub currency_code: Option<String>,
    }
}

model! {
    /// Where the cart goes.
    pub struct PromiseDestination {
        pub postal_code: Option<String>,
        pub country: Option<String>,
    }
}

model! {
    /// The shopper, for personalised promises.
    pub struct PromiseCustomer {
        pub customer_id: Option<String>,
        pub email: Option<String>,
    }
}

model! {
    /// One cart line.
    pub struct PromiseItem {
        pub sku: Option<String>,
        pub quantity: Option<Quantity>,
        pub original_price: Option<Money>,
        pub in_stock: Option<bool>,
        pub product_category: Option<String>,
        pub brand: Option<String>,
        pub attributes: Attributes,
    }
}

model! {
    /// Body of `POST /api/{version}/promise/options`.
    pub struct PromiseRequest {
        pub destination: Option<PromiseDestination>,
        /// E.g. `pdp`, `cart`, `checkout`.
        pub display_location: Option<String>,
        /// `website` or `mobile`.
        pub channel: Option<String>,
        pub session_id: Option<String>,
        pub language_code: Option<String>,
        pub country_code: Option<String>,
        pub order_subtotal: Option<Money>,
        pub customer: Option<PromiseCustomer>,
        pub items: Vec<PromiseItem>,
        pub experiment: Option<serde_json::Value>,
        /// Asks for a test answer (retailers not yet live).
        pub test: Option<bool>,
    }
}

model! {
    /// One delivery option, e.g. "Get it by Tue, Mar 12".
    pub struct DeliveryOption {
        pub promise_id: Option<String>,
        pub delivery_option_name: Option<String>,
        pub text: Option<String>,
        /// The promised date (sandbox; Narvar's key is not public).
        pub estimated_delivery_date: Option<String>,
    }
}

model! {
    /// The cart's options.
    pub struct CartDeliveryOptions {
        pub delivery_options: Vec<DeliveryOption>,
    }
}

model! {
    /// Answer of promise options.
    pub struct PromiseOptions {
        pub status: Option<EnvelopeStatus>,
        pub messages: Vec<ApiMessage>,
        pub cart_delivery_options: Option<CartDeliveryOptions>,
    }
}

model! {
    /// A chosen option.
    pub struct SelectedDeliveryOption {
        pub promise_id: String,
    }
}

model! {
    /// Body of `POST /api/{version}/promise/options/public/confirm`.
    pub struct PromiseConfirmation {
        pub order_id: String,
        pub selected_delivery_options: Vec<SelectedDeliveryOption>,
        pub channel: Option<String>,
    }
}

model! {
    /// Answer of promise confirm.
    pub struct PromiseConfirmed {
        pub status: Option<EnvelopeStatus>,
        pub messages: Vec<ApiMessage>,
        pub order_id: Option<String>,
    }
}
