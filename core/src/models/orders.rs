//! Order API v1: `order_info` and everything inside it.

use super::common::{Address, ApiMessage, Attributes, Contact, EnvelopeStatus};
use crate::values::{Amount, Quantity};

open_enum! {
    /// An order line's fulfillment state. Only `NOT_SHIPPED` is seen verbatim in Narvar's spec;
    /// the others are the spec's described states spelled the same way (a guess), and `FULFILLED`
    /// appears in RMA webhooks.
    pub enum FulfillmentStatus {
        NotShipped = "NOT_SHIPPED",
        Shipped = "SHIPPED",
        Cancelled = "CANCELLED",
        Returned = "RETURNED",
        Processing = "PROCESSING",
        ReadyForPickup = "READY_FOR_PICKUP",
        Delayed = "DELAYED",
        PickedUp = "PICKED_UP",
        NotPickedUp = "NOT_PICKED_UP",
        Fulfilled = "FULFILLED",
    }
}

model! {
    /// A dated event on an order or a line.
    pub struct OrderEvent {
        pub event: Option<String>,
        pub date: Option<String>,
        pub quantity: Option<Quantity>,
        pub sequence: Option<i64>,
    }
}

model! {
    /// A promotion applied to an order.
    pub struct Promotion {
        pub promotion: Option<String>,
        pub value: Option<Amount>,
    }
}

model! {
    /// A vendor (drop-ship or store routing): the return-to address of a line.
    pub struct Vendor {
        pub name: Option<String>,
        pub phone: Option<String>,
        pub email: Option<String>,
        /// E.g. `drop-ship`.
        pub kind as "type": Option<String>,
        pub address: Option<Address>,
    }
}

model! {
    /// Package dimensions of a line.
    pub struct Dimensions {
        pub uom: Option<String>,
        pub length: Option<f64>,
        pub width: Option<f64>,
        pub height: Option<f64>,
        pub weight: Option<f64>,
        pub weight_uom: Option<String>,
    }
}

model! {
    /// One line of an order.
    pub struct OrderItem {
        pub sku: Option<String>,
        /// Finer than the SKU; needed when one SKU appears on two lines.
        pub item_id: Option<String>,
        pub name: Option<String>,
        pub description: Option<String>,
        pub quantity: Option<Quantity>,
        pub unit_price: Option<Amount>,
        pub line_price: Option<Amount>,
        pub original_unit_price: Option<Amount>,
        pub original_line_price: Option<Amount>,
        pub discount_amount: Option<Amount>,
        pub discount_percent: Option<Amount>,
        pub categories: Vec<String>,
        pub item_image: Option<String>,
        pub item_url: Option<String>,
        pub is_backordered: Option<bool>,
        /// `true`: not returnable.
        pub is_final_sale: Option<bool>,
        pub final_sale_date: Option<String>,
        pub is_gift: Option<bool>,
        pub item_promise_date: Option<String>,
        pub anticipated_ship_date: Option<String>,
        pub line_number: Option<i64>,
        pub fulfillment_status: Option<FulfillmentStatus>,
        pub fulfillment_type: Option<String>,
        pub vendors: Vec<Vendor>,
        pub vendor: Option<String>,
        pub product_type: Option<String>,
        pub product_id: Option<String>,
        pub color: Option<String>,
        pub size: Option<String>,
        pub style: Option<String>,
        pub dimensions: Option<Dimensions>,
        pub attributes: Attributes,
        pub events: Vec<OrderEvent>,
    }
}

model! {
    /// Which units of which line a shipment or pickup carries.
    pub struct ItemInfo {
        pub sku: Option<String>,
        pub item_id: Option<String>,
        pub quantity: Option<Quantity>,
    }
}

model! {
    /// A shipment of some of an order's items.
    pub struct Shipment {
        pub items_info: Vec<ItemInfo>,
        /// Narvar carrier moniker (`ups`, `fedex`, `usps`, `lasership`, `ontrac`, ...).
        pub carrier: Option<String>,
        pub tracking_number: Option<String>,
        pub ship_date: Option<String>,
        pub ship_method: Option<String>,
        pub carrier_service: Option<String>,
        pub ship_source: Option<String>,
        pub ship_discount: Option<Amount>,
        pub ship_tax: Option<Amount>,
        pub ship_total: Option<Amount>,
        pub shipped_to: Option<Contact>,
        pub shipped_from: Option<Contact>,
        pub attributes: Attributes,
    }
}

model! {
    /// A pickup's status.
    pub struct PickupStatus {
        pub code: Option<String>,
        pub date: Option<String>,
        pub message: Option<String>,
    }
}

model! {
    /// Store opening hours.
    pub struct StoreHours {
        pub open: Option<String>,
        pub close: Option<String>,
    }
}

model! {
    /// The store of a pickup.
    pub struct Store {
        pub id: Option<String>,
        pub name: Option<String>,
        pub store_area: Option<String>,
        pub url: Option<String>,
        pub phone_number: Option<String>,
        pub address: Option<Address>,
        pub hours: Vec<StoreHours>,
    }
}

model! {
    /// A buy-online-pick-up-in-store pickup.
    pub struct Pickup {
        pub id: Option<String>,
        pub kind as "type": Option<String>,
        pub items_info: Vec<ItemInfo>,
        pub status: Option<PickupStatus>,
        pub store: Option<Store>,
        pub eta: Option<String>,
        pub pickup_by_date: Option<String>,
        pub carrier: Option<String>,
        pub tracking_number: Option<String>,
        pub ship_date: Option<String>,
        pub collection_token: Option<String>,
        pub attributes: Attributes,
    }
}

model! {
    /// A payment on the bill.
    pub struct Payment {
        pub method: Option<String>,
        pub merchant: Option<String>,
        pub is_gift_card: Option<bool>,
        pub expiration_date: Option<String>,
    }
}

model! {
    /// Billing of an order.
    pub struct Billing {
        pub billed_to: Option<Contact>,
        pub amount: Option<Amount>,
        pub tax_amount: Option<Amount>,
        pub tax_rate: Option<Amount>,
        pub shipping_handling: Option<Amount>,
        pub payments: Vec<Payment>,
    }
}

model! {
    /// The customer of an order.
    pub struct Customer {
        pub customer_id: Option<String>,
        pub first_name: Option<String>,
        pub last_name: Option<String>,
        pub email: Option<String>,
        pub phone: Option<String>,
        pub address: Option<Address>,
        pub customer_type: Option<String>,
        pub customer_tier: Option<String>,
        pub notification_preferences: Vec<String>,
    }
}

model! {
    /// An order: `order_info` of the Order API.
    ///
    /// ```
    /// use narvar_core::models::OrderInfo;
    /// let o: OrderInfo = serde_json::from_str(r#"{"order_number": "1001",
    ///     "order_date": "2024-03-09T17:45:00Z", "order_items": [{"sku": "MUG", "quantity": "2"}]}"#).unwrap();
    /// assert_eq!(o.order_items[0].quantity.unwrap().get(), 2);
    /// ```
    pub struct OrderInfo {
        /// The order's key: posting an existing number updates that order.
        pub order_number: String,
        /// When the order was placed (ISO 8601 date-time).
        pub order_date: Option<String>,
        pub order_items: Vec<OrderItem>,
        pub shipments: Vec<Shipment>,
        pub pickups: Vec<Pickup>,
        pub billing: Option<Billing>,
        pub customer: Option<Customer>,
        /// ISO 4217.
        pub currency_code: Option<String>,
        pub order_promise_date: Option<String>,
        pub selected_ship_method: Option<String>,
        pub attributes: Attributes,
        pub events: Vec<OrderEvent>,
        pub promotions: Vec<Promotion>,
    }
}

model! {
    /// The body of `POST /api/v1/orders` and the answer of `GET /api/v1/orders/{n}`.
    pub struct OrderEnvelope {
        pub order_info: Option<OrderInfo>,
        pub status: Option<EnvelopeStatus>,
        pub messages: Vec<ApiMessage>,
    }
}

model! {
    /// What a write (order upsert, shipments) answers: the envelope's status and messages.
    pub struct WriteResult {
        pub status: Option<EnvelopeStatus>,
        pub messages: Vec<ApiMessage>,
    }
}
