//! stdin/stdout for rmcp, answering what rmcp's own stdio transport drops.
//!
//! rmcp reads each line with its codec and ignores a line that is not JSON
//! (the other SDKs do the same, to avoid two peers bouncing errors at each
//! other). A client that wrote such a line would wait for an answer that
//! never comes, so this transport answers it, as JSON-RPC asks: a
//! `-32700 Parse error` with `id: null`, before anything read after it, and
//! goes on reading. JSON that is no message gets `-32600 Invalid request`,
//! with the request's id when it has one. Everything else is rmcp's: its
//! codec reads the lines (and skips other protocols' notifications), its
//! message types are what is written.
//!
//! One task reads stdin and hands messages over a channel, so that rmcp,
//! which may drop a pending `receive` at any time, never loses half a line;
//! replies, from that task or from rmcp, are written whole, one at a time.

use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::model::{ErrorData, JsonRpcMessage, RequestId};
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use rmcp::transport::async_rw::{JsonRpcMessageCodec, JsonRpcMessageCodecError};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{Mutex, mpsc};
use tokio_util::bytes::BytesMut;
use tokio_util::codec::Decoder;

/// The longest line read as a message, as rmcp's own transport allows.
const MAX_LINE: usize = rmcp::transport::async_rw::DEFAULT_MAX_LINE_LENGTH;

/// The server's side of a stdio connection.
pub struct Stdio<W> {
    incoming: mpsc::Receiver<RxJsonRpcMessage<RoleServer>>,
    out: Arc<Mutex<W>>,
}

impl Stdio<tokio::io::Stdout> {
    /// This process's stdin and stdout.
    pub fn new() -> Self {
        let (read, write) = rmcp::transport::stdio();
        Stdio::over(read, write)
    }
}

impl<W: AsyncWrite + Send + Unpin + 'static> Stdio<W> {
    /// Reads messages from `read` and writes replies to `write`.
    pub fn over<R: AsyncRead + Send + Unpin + 'static>(read: R, write: W) -> Self {
        let out = Arc::new(Mutex::new(write));
        let (sender, incoming) = mpsc::channel(16);
        tokio::spawn(read_messages(
            BufReader::new(read),
            sender,
            Arc::clone(&out),
        ));
        Stdio { incoming, out }
    }
}

/// Writes one message and its newline, whole, then flushes.
async fn write<W: AsyncWrite + Unpin>(
    out: &Mutex<W>,
    message: &TxJsonRpcMessage<RoleServer>,
) -> std::io::Result<()> {
    let mut line = match message {
        // JSON-RPC 2.0 wants `"id": null` on an error about a request whose
        // id could not be read, and clients (the Python SDK) require it;
        // rmcp leaves the id out, as MCP 2026-07-28 allows.
        JsonRpcMessage::Error(error) if error.id.is_none() => {
            let reply = serde_json::json!({
                "jsonrpc": "2.0",
                "id": null,
                "error": error.error,
            });
            serde_json::to_vec(&reply)?
        }
        _ => serde_json::to_vec(message)?,
    };
    line.push(b'\n');
    let mut out = out.lock().await;
    out.write_all(&line).await?;
    out.flush().await
}

/// Reads stdin line by line until it closes (or the server stops): hands
/// each message to rmcp, answers each line that is none.
async fn read_messages<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
    mut read: BufReader<R>,
    sender: mpsc::Sender<RxJsonRpcMessage<RoleServer>>,
    out: Arc<Mutex<W>>,
) {
    let mut codec = JsonRpcMessageCodec::<RxJsonRpcMessage<RoleServer>>::default();
    let mut line = Vec::new();
    loop {
        line.clear();
        // A read error is the end of the connection, as for rmcp.
        let (error, id) = match read_line(&mut read, &mut line).await {
            Ok(Line::End) | Err(_) => return,
            Ok(Line::TooLong) => (
                ErrorData::parse_error(
                    format!(
                        "Parse error: a line longer than {} MiB was left unread",
                        MAX_LINE >> 20
                    ),
                    None,
                ),
                None,
            ),
            Ok(Line::Read) if line.trim_ascii().is_empty() => continue,
            Ok(Line::Read) => match codec.decode_eof(&mut BytesMut::from(&line[..])) {
                Ok(Some(message)) => {
                    if sender.send(message).await.is_err() {
                        return;
                    }
                    continue;
                }
                // Another protocol's notification: rmcp skips it.
                Ok(None) => continue,
                Err(JsonRpcMessageCodecError::Serde(e)) => answer(&line, &e),
                Err(_) => return,
            },
        };
        let reply = TxJsonRpcMessage::<RoleServer>::error(error, id);
        if write(&out, &reply).await.is_err() {
            return;
        }
    }
}

/// The error that answers `line`, which rmcp's codec could not read.
fn answer(line: &[u8], e: &serde_json::Error) -> (ErrorData, Option<RequestId>) {
    match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => (
            ErrorData::parse_error(
                format!(
                    "Parse error: the line is not JSON ({e}); send one JSON-RPC message a line"
                ),
                None,
            ),
            None,
        ),
        serde_json::error::Category::Data | serde_json::error::Category::Io => {
            let id = serde_json::from_slice::<serde_json::Value>(line)
                .ok()
                .and_then(|v| v.get("id").cloned())
                .and_then(|id| serde_json::from_value::<RequestId>(id).ok());
            let error = ErrorData::invalid_request(
                format!(
                    "Invalid request: not a JSON-RPC 2.0 message ({e}); a request is \
                     {{\"jsonrpc\": \"2.0\", \"id\": …, \"method\": …, \"params\": {{…}}}}"
                ),
                None,
            );
            (error, id)
        }
    }
}

/// What [`read_line`] found.
enum Line {
    /// A line, in the buffer (with its newline, if it had one).
    Read,
    /// A line too long to be read; skipped up to its newline.
    TooLong,
    /// The end of the input.
    End,
}

/// Reads one line into `line`, never holding more than [`MAX_LINE`] bytes
/// of it.
async fn read_line<R: AsyncRead + Unpin>(
    read: &mut BufReader<R>,
    line: &mut Vec<u8>,
) -> std::io::Result<Line> {
    let limit = MAX_LINE as u64 + 1;
    if (&mut *read).take(limit).read_until(b'\n', line).await? == 0 {
        return Ok(Line::End);
    }
    if line.ends_with(b"\n") || line.len() <= MAX_LINE {
        return Ok(Line::Read);
    }
    // Too long: skip the rest of it.
    loop {
        let available = read.fill_buf().await?;
        if available.is_empty() {
            return Ok(Line::TooLong);
        }
        match available.iter().position(|b| *b == b'\n') {
            Some(end) => {
                read.consume(end + 1);
                return Ok(Line::TooLong);
            }
            None => {
                let n = available.len();
                read.consume(n);
            }
        }
    }
}

impl<W: AsyncWrite + Send + Unpin + 'static> Transport<RoleServer> for Stdio<W> {
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let out = Arc::clone(&self.out);
        async move { write(&out, &item).await }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        self.incoming.recv().await
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.incoming.close();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `input` to a transport and closes it; returns the messages
    /// rmcp would get and the lines written back.
    async fn exchange(input: &[u8]) -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
        let (mut client, server_in) = tokio::io::duplex(1 << 16);
        let (server_out, mut replies) = tokio::io::duplex(1 << 16);
        let mut stdio = Stdio::over(server_in, server_out);
        client.write_all(input).await.unwrap();
        drop(client);
        let mut got = Vec::new();
        while let Some(message) = stdio.receive().await {
            got.push(serde_json::to_value(&message).unwrap());
        }
        drop(stdio);
        let mut written = String::new();
        replies.read_to_string(&mut written).await.unwrap();
        let written = written
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (got, written)
    }

    #[tokio::test]
    async fn a_line_that_is_not_json_is_answered_and_the_next_one_read() {
        let (got, written) = exchange(
            b"this is not JSON {\n\xff\xfe\n\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n",
        )
        .await;
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0]["id"], 2);
        assert_eq!(got[0]["method"], "ping");
        assert_eq!(written.len(), 2, "{written:?}");
        for reply in &written {
            assert_eq!(reply["jsonrpc"], "2.0");
            assert_eq!(reply.get("id"), Some(&serde_json::Value::Null), "{reply}");
            assert_eq!(reply["error"]["code"], -32700);
            let message = reply["error"]["message"].as_str().unwrap();
            assert!(
                message.starts_with("Parse error: the line is not JSON"),
                "{message}"
            );
        }
    }

    #[tokio::test]
    async fn json_that_is_no_message_is_an_invalid_request_with_its_id() {
        let (got, written) =
            exchange(b"[1, 2]\n{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":7}\n").await;
        assert!(got.is_empty(), "{got:?}");
        assert_eq!(written.len(), 2, "{written:?}");
        assert_eq!(written[0].get("id"), Some(&serde_json::Value::Null));
        assert_eq!(written[1]["id"], "a");
        for reply in &written {
            assert_eq!(reply["error"]["code"], -32600);
        }
    }

    #[tokio::test]
    async fn a_line_too_long_is_answered_and_the_next_one_read() {
        let mut input = vec![b'x'; MAX_LINE + 10];
        input.extend_from_slice(b"\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n");
        let (got, written) = exchange(&input).await;
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0]["id"], 1);
        assert_eq!(written.len(), 1, "{written:?}");
        assert_eq!(written[0]["error"]["code"], -32700);
    }
}
