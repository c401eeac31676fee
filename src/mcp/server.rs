//! The server: what it says it offers, how a call reaches a tool, and the
//! tracker each call opens afresh.

use std::path::PathBuf;
use std::sync::Arc;

use rmcp::handler::server::router::prompt::PromptRouter;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{
    CacheScope, CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock,
    CustomRequest, CustomResult, ErrorCode, Implementation, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ProtocolVersion,
    ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, prompt_handler};

use super::Options;
use crate::tracker::{Audience, Tracker};

/// The tools that change the tracker: the ones `--read-only` leaves out.
pub(super) const WRITES: [&str; 7] = ["new", "comment", "record", "set", "close", "reopen", "link"];

pub struct Server {
    dir: Arc<PathBuf>,
    pub(super) options: Options,
    pub(super) tool_router: ToolRouter<Server>,
    pub(super) prompt_router: PromptRouter<Server>,
}

/// Said once to the agent when it connects.
const INSTRUCTIONS: &str = "\
An issue tracker that lives in this git repository (git-issue). Issues have \
keys like BC-12. Find issues with `search` (full text, ranked) or `list` \
(filters, sorted); read one with `show`; file, comment, change, close, reopen \
and link with the other tools. `list` and `search` take one query language: \
read the resource git-issue://help/query once, and git-issue://tracker.yml for \
the statuses, types, priorities and severities this tracker allows. Every \
change is one commit by the user, marked as made through you.";

impl Server {
    pub fn new(dir: PathBuf, options: Options) -> Server {
        let mut tool_router = Server::tool_router();
        if options.read_only {
            for name in WRITES {
                tool_router.remove_route(name);
            }
        }
        Server {
            dir: Arc::new(dir),
            options,
            tool_router,
            prompt_router: Server::prompt_router(),
        }
    }

    /// Who the answers are for.
    pub(super) fn audience(&self) -> Audience {
        if self.options.include_confidential {
            Audience::Team
        } else {
            Audience::Public
        }
    }

    /// Runs `f` on the repository's tracker, opened now (so it sees the
    /// branch as it is) on tokio's blocking pool. With `via`, the commits
    /// it makes carry a `Via:` trailer naming the client.
    pub(super) async fn with_tracker<T: Send + 'static>(
        &self,
        via: Option<String>,
        f: impl FnOnce(&Tracker, Audience) -> anyhow::Result<T> + Send + 'static,
    ) -> anyhow::Result<T> {
        let dir = Arc::clone(&self.dir);
        let audience = self.audience();
        tokio::task::spawn_blocking(move || {
            let mut tracker = Tracker::discover(&dir)?;
            if let Some(via) = via {
                tracker.set_via(&via);
            }
            f(&tracker, audience)
        })
        .await
        .map_err(|e| anyhow::anyhow!("the request stopped before it finished: {e}"))?
    }
}

/// The client's name for a `Via:` trailer: what it called itself when it
/// connected.
pub(super) fn client_name(context: &RequestContext<RoleServer>) -> String {
    context
        .client_info()
        .map(|i| i.name)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "an unnamed MCP client".to_owned())
}

/// The cache hints protocol 2026-07-28 asks of every listing and read:
/// reuse nothing (the branch may move at any time), and keep it to this
/// user. Older protocols have no such fields.
fn no_cache(context: &RequestContext<RoleServer>) -> Option<(u64, CacheScope)> {
    context
        .protocol_version()
        .filter(|v| *v >= ProtocolVersion::V_2026_07_28)
        .map(|_| (0, CacheScope::Private))
}

/// A failure the agent should read and can act on: a tool error (not a
/// protocol error, which clients tend to hide), in the command line's words.
pub(super) fn failure(e: &anyhow::Error) -> CallToolResult {
    let report = crate::ui::report::report(e);
    let mut text = report.message;
    let hint = match e.downcast_ref::<crate::tracker::Error>() {
        Some(crate::tracker::Error::Query(_)) => {
            Some("the query language is in the resource git-issue://help/query".to_owned())
        }
        Some(crate::tracker::Error::NoSuchIssue(_)) => {
            Some("search or list shows the keys in use".to_owned())
        }
        _ => report.hint,
    };
    if let Some(hint) = hint {
        text.push_str("\nhint: ");
        text.push_str(&hint);
    }
    CallToolResult::error(vec![ContentBlock::text(text)])
}

#[prompt_handler(router = self.prompt_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        let mut instructions = INSTRUCTIONS.to_owned();
        if self.options.read_only {
            instructions
                .push_str(" This server is read-only: it offers no tool that changes issues.");
        }
        if !self.options.include_confidential {
            instructions.push_str(
                " Confidential issues and internal comments are not shown by this server.",
            );
        }
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_prompts()
                .build(),
        )
        .with_server_info(Implementation::new("git-issue", env!("CARGO_PKG_VERSION")))
        .with_instructions(instructions)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let mut result = ListToolsResult::with_all_items(self.tool_router.list_all());
        if let Some((ttl, scope)) = no_cache(&context) {
            result = result.with_ttl_ms(ttl).with_cache_scope(scope);
        }
        Ok(result)
    }

    fn get_tool(&self, name: &str) -> Option<rmcp::model::Tool> {
        self.tool_router.get(name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let name = request.name.to_string();
        if !self.tool_router.has_route(&name) {
            let message = if self.options.read_only && WRITES.contains(&name.as_str()) {
                format!(
                    "the tool {name:?} changes issues, and this server was started with --read-only"
                )
            } else {
                let names: Vec<String> = self
                    .tool_router
                    .list_all()
                    .into_iter()
                    .map(|t| t.name.to_string())
                    .collect();
                format!(
                    "no tool named {name:?}; the tools are: {}",
                    names.join(", ")
                )
            };
            return Err(ErrorData::invalid_params(message, None));
        }
        let call = ToolCallContext::new(self, request, context);
        self.tool_router.call(call).await
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let mut result = super::resources::list(self, request.and_then(|r| r.cursor)).await?;
        if let Some((ttl, scope)) = no_cache(&context) {
            result = result.with_ttl_ms(ttl).with_cache_scope(scope);
        }
        Ok(result)
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        let mut result = ListResourceTemplatesResult::with_all_items(super::resources::templates());
        if let Some((ttl, scope)) = no_cache(&context) {
            result = result.with_ttl_ms(ttl).with_cache_scope(scope);
        }
        Ok(result)
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let mut result = super::resources::read(self, &request.uri).await?;
        if let Some((ttl, scope)) = no_cache(&context) {
            result = result.with_ttl_ms(ttl).with_cache_scope(scope);
        }
        Ok(result.into())
    }

    /// rmcp hands over, as a request of an unknown method, a request of a
    /// known one whose params it could not read (none, or `arguments` that
    /// is not an object): say what they should be.
    async fn on_custom_request(
        &self,
        request: CustomRequest,
        _context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        let method = request.method.as_str();
        let shape = match method {
            "tools/call" => r#"{"name": TOOL, "arguments": {…}}, with arguments an object"#,
            "resources/read" => r#"{"uri": URI}"#,
            "prompts/get" => r#"{"name": PROMPT, "arguments": {…}}, with arguments an object"#,
            _ => {
                return Err(ErrorData::new(
                    ErrorCode::METHOD_NOT_FOUND,
                    format!("no method named {method:?}"),
                    None,
                ));
            }
        };
        Err(ErrorData::invalid_params(
            format!("{method} needs params {shape}"),
            None,
        ))
    }
}
