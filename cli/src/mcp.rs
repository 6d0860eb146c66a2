//! `narvar mcp`: every operation of the core's registry as an MCP tool, over stdio, for AI
//! agents (rmcp). Read-only unless started with `--allow-writes`; `--sandbox` runs against an
//! embedded sandbox with sample data. Logs go to stderr; stdout carries only the protocol.

use narvar::{CallOptions, Client, NarvarError};
use narvar_sandbox::{Sandbox, SandboxConfig};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// The journey is not a registry operation but a composition of them; agents ask for it most.
const JOURNEY_TOOL: &str = "get_journey";

/// The tool name agents expect for an operation: `verb_noun` (`get_order`, `list_carriers`,
/// `create_return`), with a few names closer to what the operation is for.
pub fn tool_name(operation: &str) -> String {
    match operation {
        "tracking.by_order" => return "track_order".into(),
        "tracking.info" => return "track_packages".into(),
        "tracking.item_visibility" => return "get_item_visibility".into(),
        "orders.add_shipments" => return "add_shipments".into(),
        "returns.generate_label" => return "generate_return_label".into(),
        "returns.get_label" => return "get_return_label".into(),
        "promise.options" => return "delivery_options".into(),
        "promise.public_options" => return "public_delivery_options".into(),
        "promise.confirm" => return "confirm_delivery_option".into(),
        _ => {}
    }
    let (family, verb) = operation.split_once('.').unwrap_or((operation, ""));
    match verb {
        "list" => format!("list_{family}"),
        _ => format!("{verb}_{}", family.strip_suffix('s').unwrap_or(family)),
    }
}

struct Offered {
    tool: Tool,
    /// The registry operation; `None` for the journey.
    operation: Option<&'static str>,
    write: bool,
}

/// The server: one client, and the tools it offers.
#[derive(Clone)]
pub struct NarvarMcp {
    client: Client,
    tools: Arc<Vec<Offered>>,
    allow_writes: bool,
    /// What an embedded sandbox holds, for the instructions.
    sample: Option<String>,
}

impl NarvarMcp {
    /// Tools for every operation (writes only with `allow_writes`) and the journey.
    pub fn new(client: Client, allow_writes: bool) -> Self {
        let document = narvar::core::schema::document();
        let mut tools = Vec::new();
        for entry in narvar::core::REGISTRY {
            let info = &entry.info;
            let Some(schema) = narvar::core::schema::operation_input(&document, info.name) else { continue };
            let write = !info.is_read();
            let annotations = ToolAnnotations::new()
                .read_only(!write)
                .destructive(write && matches!(info.method, narvar::core::http::Method::Delete | narvar::core::http::Method::Put))
                .idempotent(info.idempotent)
                .open_world(true);
            let description = format!(
                "{} Narvar operation {} ({} {}).{}",
                info.summary,
                info.name,
                info.method.as_str(),
                info.path,
                if write { " Changes data at Narvar; each call carries an idempotency key." } else { "" }
            );
            let Value::Object(schema) = schema else { continue };
            let tool = Tool::new(tool_name(info.name), description, Arc::new(schema)).with_annotations(annotations);
            tools.push(Offered { tool, operation: Some(info.name), write });
        }
        let journey_schema = json!({"type": "object", "additionalProperties": false, "required": ["order_number"],
            "properties": {"order_number": {"type": "string", "description": "The retailer's order number."}},
            "description": "The order's whole post-purchase journey."});
        let Value::Object(journey_schema) = journey_schema else { unreachable!("an object literal") };
        let journey = Tool::new(
            JOURNEY_TOOL,
            "The whole post-purchase journey of an order in one answer: placed, each shipment and its scans, \
             returns and their labels, and the webhook events seen, in time order.",
            Arc::new(journey_schema),
        )
        .with_annotations(ToolAnnotations::new().read_only(true).idempotent(true).open_world(true));
        tools.push(Offered { tool: journey, operation: None, write: false });
        NarvarMcp { client, tools: Arc::new(tools), allow_writes, sample: None }
    }

    /// The tools a client is shown.
    fn listed(&self) -> Vec<Tool> {
        self.tools.iter().filter(|t| self.allow_writes || !t.write).map(|t| t.tool.clone()).collect()
    }

    async fn call(&self, name: &str, arguments: Map<String, Value>) -> Result<CallToolResult, ErrorData> {
        let Some(offered) = self.tools.iter().find(|t| t.tool.name == name) else {
            return Err(ErrorData::invalid_params(format!("There is no tool named {name:?}."), None));
        };
        if offered.write && !self.allow_writes {
            let e = NarvarError::new(
                narvar::ErrorCode::Configuration,
                format!("{name} changes data at Narvar, and this server is read-only: start it with `narvar mcp --allow-writes` to allow writes."),
            );
            return Ok(failure(&e, None));
        }
        let input = Value::Object(arguments);
        let Some(operation) = offered.operation else {
            let Some(order_number) = input.get("order_number").and_then(Value::as_str) else {
                let e = NarvarError::new(narvar::ErrorCode::Validation, "order_number: required, a string.");
                return Ok(failure(&e, None));
            };
            return Ok(match self.client.journey(order_number).await {
                Ok(j) => success(serde_json::to_value(&j).unwrap_or_default(), None),
                Err(e) => failure(&e, None),
            });
        };
        let key = offered.write.then(|| uuid::Uuid::new_v4().to_string());
        let opts = CallOptions { idempotency_key: key.clone(), ..Default::default() };
        Ok(match self.client.execute_json(operation, &input, opts).await {
            Ok(r) => {
                let mut meta = Map::new();
                meta.insert("request_id".into(), json!(r.meta.request_id));
                meta.insert("attempts".into(), json!(r.meta.attempts));
                if let Some(k) = key {
                    meta.insert("idempotency_key".into(), json!(k));
                }
                success(r.value, Some(meta))
            }
            Err(e) => failure(&e, key),
        })
    }
}

/// A result: structured content (an object; a list arrives as `{"items": [...]}`) and the same
/// as JSON text.
fn success(value: Value, meta: Option<Map<String, Value>>) -> CallToolResult {
    let structured = match value {
        Value::Object(_) => value,
        other => json!({"items": other}),
    };
    let mut r = CallToolResult::success(vec![ContentBlock::text(structured.to_string())]);
    r.structured_content = Some(structured);
    r.meta = meta.map(rmcp::model::MetaObject);
    r
}

/// An error as a tool result (`isError`), with the SDK's code, message and field paths, so the
/// agent can act on it; never a secret.
fn failure(e: &NarvarError, idempotency_key: Option<String>) -> CallToolResult {
    let mut detail = e.to_json();
    if let (Some(k), Some(o)) = (idempotency_key, detail.as_object_mut()) {
        o.insert("idempotency_key".into(), json!(k));
    }
    let mut text = format!("{} error: {}", e.code.as_str(), e.message);
    for f in &e.field_errors {
        text.push_str(&format!("\n- {}: {} ({})", f.path, f.message, f.rule));
    }
    let mut r = CallToolResult::error(vec![ContentBlock::text(text)]);
    r.structured_content = Some(detail);
    r
}

impl ServerHandler for NarvarMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("narvar", env!("CARGO_PKG_VERSION")))
            .with_instructions(format!(
                "Narvar's post-purchase API: orders, tracking, returns and labels, carriers and carrier accounts, delivery promises. {}{}",
                if self.allow_writes { "Writes are allowed." } else { "Read-only: the tools that change data are not offered." },
                self.sample.as_deref().map(|s| format!(" {s}")).unwrap_or_default()
            ))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.listed()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.listed().into_iter().find(|t| t.name == name)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        self.call(&request.name, request.arguments.unwrap_or_default()).await.map(CallToolResponse::from)
    }
}

/// Sample data for `--sandbox`: two orders with shipments, a return and a v1 return label of
/// the first, and a carrier account; says where they are.
async fn seed(client: &Client) -> Result<(String, Vec<String>), NarvarError> {
    for n in ["1001", "1002"] {
        client.orders().create(narvar_sandbox::samples::order(n)).await?;
    }
    let v2 = client.returns().create(narvar_sandbox::samples::a_return("1001")).await?;
    let v1 = client.returns().generate_label(narvar_sandbox::samples::a_return("1001")).await?;
    let account = serde_json::json!({"carrier_moniker": "gls", "capabilities": ["returns_label"], "products": ["returns"],
        "account_alias": "acme-gls", "credentials": {"username": "demo", "password": "pw_demo_1", "shipper_contact_id": "1"}});
    client.execute_json("carrier_accounts.create", &account, CallOptions::default()).await?;
    let note = format!(
        "This is a sandbox holding orders 1001 and 1002 (shipped with usps, tracking numbers T-1001 and T-1002), return {} of order 1001 \
         (v2), return label {} (v1), and carrier account acme-gls (gls).",
        v2.return_reference_number.as_deref().unwrap_or("?"),
        v1.return_reference_number.as_deref().unwrap_or("?")
    );
    Ok((note, [v2.return_reference_number.clone(), v1.return_reference_number.clone()].into_iter().flatten().collect()))
}

/// An embedded sandbox with sample data ([`seed`]), a client of its first account with every
/// credential, what the data is, and its return references.
pub async fn sample_sandbox() -> Result<(Sandbox, Client, String, Vec<String>), NarvarError> {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .map_err(|e| NarvarError::new(narvar::ErrorCode::Configuration, format!("cannot start the sandbox: {e}")))?;
    let a = sb.accounts()[0].clone();
    let c = Client::builder()
        .base_url(sb.url())
        .basic_auth(a.account_id.clone(), a.auth_token.clone())
        .bearer_token(a.bearer_token.clone())
        .tracking_key(a.retailer_moniker.clone(), a.hmac_key.clone())
        .origin("https://shop.example.test")
        .no_rate_budget()
        .build()?;
    let (note, returns) = seed(&c).await?;
    Ok((sb, c, note, returns))
}

/// Serves MCP on stdin/stdout until stdin closes.
pub async fn serve(client: Option<Client>, sandbox: bool, allow_writes: bool) -> Result<(), NarvarError> {
    let failed =
        |what: &str, e: &dyn std::fmt::Display| NarvarError::new(narvar::ErrorCode::Configuration, format!("{what}: {e}"));
    let mut _keep: Option<Sandbox> = None;
    let client = match (sandbox, client) {
        (true, _) => {
            let (sb, c, note, _) = sample_sandbox().await?;
            tracing::info!(target: "narvar", url = sb.url(), "narvar mcp: an embedded sandbox. {note}");
            _keep = Some(sb);
            (c, Some(note))
        }
        (false, Some(c)) => (c, None),
        (false, None) => return Err(failed("narvar mcp", &"needs credentials, or --sandbox")),
    };
    let (client, sample) = client;
    let running = NarvarMcp { sample, ..NarvarMcp::new(client, allow_writes) }
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| failed("the MCP session could not start", &e))?;
    running.waiting().await.map_err(|e| failed("the MCP session ended badly", &e))?;
    Ok(())
}
