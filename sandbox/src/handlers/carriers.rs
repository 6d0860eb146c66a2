//! `carriers.*`: the catalogue per account, services and their configuration.

use super::*;

impl Handler for ListCarriers {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        let a = &mut *cx.account;
        let (products, capabilities) = (&self.products, &self.capabilities);
        let carriers: Vec<CarrierSummary> = a
            .carriers
            .values()
            .filter(|c| products.iter().all(|p| c.catalogue.products.contains(p)))
            .filter(|c| capabilities.iter().all(|p| c.catalogue.capabilities.contains(p)))
            .map(|c| {
                let active = a
                    .carrier_accounts
                    .values()
                    .any(|acc| acc.carrier_moniker == c.catalogue.moniker && acc.is_active != Some(false));
                CarrierSummary {
                    carrier_moniker: c.catalogue.moniker.to_owned(),
                    status: Some(if active { CarrierStatus::Active } else { CarrierStatus::Inactive }),
                    last_updated_by: Some(format!("api@{}", a.creds.retailer_moniker)),
                    last_update_datetime: Some(c.last_update.to_rfc3339()),
                    capabilities: c.catalogue.capabilities.clone(),
                    products: c.catalogue.products.clone(),
                    carrier_services: c.services.iter().map(|s| s.service_name.clone()).collect(),
                    ..Default::default()
                }
            })
            .collect();
        Reply::ok(to_value(&CarrierList {
            retailer_moniker: Some(a.creds.retailer_moniker.clone()),
            carriers,
            ..Default::default()
        }))
    }
}

impl Handler for GetCarrier {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        let a = &mut *cx.account;
        let m = self.carrier_moniker.as_str();
        let Some(c) = a.carriers.get(m) else {
            return carrier_failure(404, carrier_codes::NOT_FOUND, format!("Carrier {m} not found"));
        };
        let country = self.country.as_deref();
        let (products, capabilities) = (&self.products, &self.capabilities);
        // Services are the carrier's; they are listed only if the carrier offers every
        // product and capability asked for. Accounts must have them all themselves.
        let offers = products.iter().all(|p| c.catalogue.products.contains(p))
            && capabilities.iter().all(|k| c.catalogue.capabilities.contains(k));
        let services = c
            .services
            .iter()
            .filter(|_| offers)
            .filter(|s| country.is_none_or(|k| s.countries.is_empty() || s.countries.iter().any(|x| x == k)))
            .cloned()
            .collect();
        let accounts = a
            .carrier_accounts
            .values()
            .filter(|acc| acc.carrier_moniker == m)
            .filter(|acc| products.iter().all(|p| acc.products.contains(p)))
            .filter(|acc| capabilities.iter().all(|k| acc.capabilities.contains(k)))
            .map(|acc| CarrierAccountDetail {
                account_alias: Some(acc.account_alias.clone()),
                capabilities: acc.capabilities.clone(),
                product: acc.products.clone(),
                carrier_services: acc.carrier_services.clone(),
                ..Default::default()
            })
            .collect();
        Reply::ok(to_value(&CarrierDetails {
            status: Some(EnvelopeStatus::Success),
            carrier_moniker: Some(m.to_owned()),
            carrier_services: services,
            configuration: Some(c.configuration.clone()),
            accounts,
            ..Default::default()
        }))
    }
}

impl Handler for EnableCarrier {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        let now = cx.now;
        let a = &mut *cx.account;
        let (m, req) = (self.carrier_moniker, self.request);
        if let Err(errs) = check(|p| validate::service_configuration(p, &req)) {
            return carrier_invalid(errs);
        }
        let Some(c) = a.carriers.get_mut(&m) else {
            return carrier_failure(404, carrier_codes::NOT_FOUND, format!("Carrier {m} not found"));
        };
        for s in &req.carrier_service_configurations {
            match c.services.iter_mut().find(|x| x.service_name == s.service_name) {
                Some(existing) => {
                    if let Some(active) = s.is_active {
                        existing.is_active = Some(active);
                    }
                    if !s.countries.is_empty() {
                        existing.countries = s.countries.clone();
                    }
                    if let Some(delta) = &s.configuration {
                        let mut base = to_value(&existing.configuration.clone().unwrap_or_default());
                        merge(&mut base, to_value(delta));
                        existing.configuration = serde_json::from_value(base).ok();
                    }
                }
                None => c.services.push(CarrierService {
                    service_name: s.service_name.clone(),
                    configuration: s.configuration.clone(),
                    is_active: Some(s.is_active.unwrap_or(true)),
                    countries: s.countries.clone(),
                    ..Default::default()
                }),
            }
        }
        if let Some(cc) = &req.carrier_configuration {
            c.configuration = cc.clone();
        }
        c.last_update = now;
        Reply::ok(to_value(&CarrierServiceCreationResponse {
            status: Some(EnvelopeStatus::Success),
            carrier_moniker: Some(m),
            carrier_services: c.services.clone(),
            configuration: Some(c.configuration.clone()),
            ..Default::default()
        }))
    }
}

impl Handler for DisableCarrierService {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        let now = cx.now;
        let a = &mut *cx.account;
        let (m, service) = (self.carrier_moniker.as_str(), self.carrier_service.as_str());
        let Some(c) = a.carriers.get_mut(m) else {
            return carrier_failure(404, carrier_codes::NOT_FOUND, format!("Carrier {m} not found"));
        };
        let before = c.services.len();
        c.services.retain(|s| s.service_name != service);
        if c.services.len() == before {
            return carrier_failure(404, carrier_codes::NOT_FOUND, format!("Service {service} not found for {m}"));
        }
        c.last_update = now;
        Reply::ok(json!({"status": "SUCCESS"}))
    }
}
