"""Drives `git issue mcp` with the official MCP Python SDK, as an agent host
would: the server is started over stdio in the current directory (a real
repository the Rust test prepared) and every check is an assertion here.

    python3 tests/mcp/client.py SCENARIO=DIR [SCENARIO=DIR …]

runs each SCENARIO (a function of SCENARIOS) in the repository at DIR,
the Rust test having filled it as the scenario expects. GIT_ISSUE names the
binary;
the environment (a hermetic git identity and config) is passed on to it.
Exits non-zero with the failed assertion on stderr.
"""

import json
import os
import subprocess
import sys
from contextlib import AsyncExitStack

import anyio
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError

BIN = os.environ["GIT_ISSUE"]
CLIENT = "git-issue-tests"
READ_TOOLS = {"search", "list", "show", "release_notes"}
WRITE_TOOLS = {"new", "comment", "record", "set", "close", "reopen", "link"}


def cli(*args):
    """Runs the command line, as a person would between two calls."""
    out = subprocess.run([BIN, *args], capture_output=True, text=True)
    assert out.returncode == 0, f"git issue {args} failed: {out.stderr}"
    return out.stdout


def cli_json(*args):
    return json.loads(cli(*args, "--json"))


def public(issue):
    """An issue as `show --json` prints it, less its internal comments: what
    a server started without --include-confidential shows."""
    return {**issue, "comments": [c for c in issue["comments"] if not c["internal"]]}


def git(*args):
    out = subprocess.run(["git", *args], capture_output=True, text=True, check=True)
    return out.stdout.strip()


class Server:
    """One `git issue mcp` process and an SDK session on it."""

    def __init__(self, *flags):
        self.flags = list(flags)

    async def __aenter__(self):
        params = StdioServerParameters(
            command=BIN, args=["mcp", *self.flags], env=dict(os.environ), cwd=os.getcwd()
        )
        # The stack closes the session and then stops the server, whatever
        # failed in between.
        self._stack = AsyncExitStack()
        await self._stack.__aenter__()
        try:
            read, write = await self._stack.enter_async_context(stdio_client(params))
            client = types.Implementation(name=CLIENT, version="1.0")
            self.session = await self._stack.enter_async_context(
                ClientSession(read, write, client_info=client)
            )
            await self.session.initialize()
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc):
        return await self._stack.__aexit__(*exc)

    async def call(self, tool, args=None):
        """A tool's result that must have succeeded: its data and summary."""
        result = await self.session.call_tool(tool, args or {})
        text = [c.text for c in result.content]
        assert not result.is_error, f"{tool} {args} failed: {text}"
        assert result.structured_content is not None, f"{tool} gave no structured content"
        # The same data as text, for clients that read only text.
        assert json.loads(text[-1]) == result.structured_content
        return result.structured_content, text[0]

    async def fails(self, tool, args=None):
        """A tool's result that must be a tool error: its message."""
        result = await self.session.call_tool(tool, args or {})
        text = "\n".join(c.text for c in result.content)
        assert result.is_error, f"{tool} {args} should have failed, gave {text}"
        return text

    async def refused(self, tool, args=None):
        """A call that must be a JSON-RPC error: the error."""
        try:
            result = await self.session.call_tool(tool, args or {})
        except MCPError as e:
            return e.error
        raise AssertionError(f"{tool} {args} should be a protocol error, gave {result}")

    async def read(self, uri):
        result = await self.session.read_resource(uri)
        return result.contents[0].text

    async def raw(self, what, *args):
        """Every response of a listing call as the client received it."""
        return (await getattr(self.session, what)(*args)).model_dump_json()


async def tools():
    """Every tool, resource and prompt against a real repository, their
    data compared with what the command line's --json prints."""
    async with Server() as s:
        listed = (await s.session.list_tools()).tools
        assert {t.name for t in listed} == READ_TOOLS | WRITE_TOOLS, [t.name for t in listed]
        for t in listed:
            assert "Example" in t.description, f"{t.name} has no example: {t.description}"
            assert t.input_schema["type"] == "object"
            assert t.annotations.read_only_hint == (t.name in READ_TOOLS), t.name
        set_tool = next(t for t in listed if t.name == "set")
        assert "priority" in set_tool.description and "labels" in set_tool.description

        # Reads: the same JSON as --json.
        found, summary = await s.call("search", {"query": "zeppelin"})
        assert found["total"] == 1 and summary.startswith("1 issue matches"), summary
        assert found["results"] == cli_json("search", "zeppelin")
        assert "zeppelin" in found["results"][0]["snippet"]
        listing, _ = await s.call("list")
        assert listing["issues"] == cli_json("list"), listing
        assert listing["total"] == 2
        page, summary = await s.call("list", {"limit": 1, "offset": 1, "sort": "key-asc"})
        assert [i["key"] for i in page["issues"]] == ["BC-2"] and page["total"] == 2, page
        assert "2 to 2" in summary, summary
        shown, summary = await s.call("show", {"key": "BC-1"})
        assert shown == cli_json("show", "BC-1")
        assert summary == "BC-1: Login fails on Safari (open, 1 comment)", summary
        assert "no issue BC-99" in await s.fails("show", {"key": "BC-99"})
        bad_query = await s.fails("list", {"query": "is:maybe"})
        assert "git-issue://help/query" in bad_query, bad_query

        # Writes: each one commit, the issue as show --json prints it.
        filed, summary = await s.call(
            "new",
            {"title": "Filed by an agent", "body": "Found while testing.", "labels": ["agent"]},
        )
        assert filed["key"] == "BC-3" and summary == "Filed BC-3: Filed by an agent", summary
        assert filed["issue"] == cli_json("show", "BC-3")
        assert filed["issue"]["labels"] == ["agent"]
        said, _ = await s.call("comment", {"key": "BC-3", "body": "Reproduced on Linux."})
        assert said["comment"]["body"] == "Reproduced on Linux.\n", said
        assert not said["comment"]["internal"]
        said, summary = await s.call(
            "comment", {"key": "bc-3", "body": "For the team.", "internal": True}
        )
        assert said["comment"]["internal"] and "internal comment" in summary, summary
        changed, summary = await s.call(
            "set", {"key": "BC-3", "changes": ["priority=p1", "+triage", "-agent"]}
        )
        assert changed["issue"]["priority"] == "p1", changed
        assert changed["issue"]["labels"] == ["triage"], changed
        assert len(changed["commit"]) == 40 and summary.startswith("BC-3: priority p2 -> p1")
        assert changed["issue"] == public(cli_json("show", "BC-3"))
        assert [c["body"] for c in changed["issue"]["comments"]] == ["Reproduced on Linux.\n"]
        refused = await s.fails("set", {"key": "BC-3", "changes": ["priority=p9"]})
        assert "p9" in refused, refused
        head = git("rev-parse", "HEAD")
        linked, _ = await s.call("link", {"key": "BC-3", "commit": "HEAD"})
        assert linked["issue"]["commits"] == [head], linked
        linked, _ = await s.call("link", {"key": "BC-3", "pr": "42"})
        assert linked["issue"]["prs"] == ["42"]
        assert "either a commit or a pr" in await s.fails("link", {"key": "BC-3"})
        closed, summary = await s.call(
            "close", {"key": "BC-3", "reason": "resolved", "comment": "Fixed."}
        )
        assert closed["issue"]["status"] == "resolved", closed
        assert closed["issue"]["comments"][-1]["body"] == "Fixed.\n"
        again, summary = await s.call("close", {"key": "BC-3", "reason": "resolved"})
        assert again["commit"] is None and summary == "BC-3: nothing to change", summary
        reopened, _ = await s.call("reopen", {"key": "BC-3"})
        assert reopened["issue"]["status"] == "open"

        # An error recorded twice, with ids that differ: one issue, counted.
        error = {
            "title": "Database timeout",
            "component": "db",
            "error": "timeout after 30s on query 8812",
            "error_type": "TimeoutError",
            "severity": "high",
            "host": "ci-3",
            "context": {"job": "build-42"},
        }
        recorded, summary = await s.call("record", error)
        assert recorded["new"] and recorded["occurrences"] == 1, recorded
        key = recorded["key"]
        again, summary = await s.call("record", {**error, "error": "timeout after 30s on query 9"})
        assert again["key"] == key and not again["new"], again
        assert summary == f"{key} (occurrence 2)", summary
        assert cli_json("show", key)["occurrences"] == 2
        assert "component" in await s.fails("record", {"title": "No component", "component": ""})

        notes, markdown = await s.call("release_notes", {"range": "v0.1.0..HEAD"})
        keys = [i["key"] for sec in notes["sections"] for i in sec["items"]]
        assert keys == ["BC-1"], notes
        assert "Login fails on Safari" in markdown and "BC-1" in markdown, markdown

        # Unknown tools and wrong arguments: clear errors, and the server
        # goes on serving.
        error = await s.refused("frobnicate", {})
        assert error.code == -32602 and 'no tool named "frobnicate"' in error.message, error
        assert "search" in error.message
        wrong = await s.fails("list", {"limit": "ten"})
        assert "invalid type" in wrong and "ten" in wrong, wrong
        wrong = await s.fails("show", {"key": "BC-1", "verbose": True})
        assert "unknown field `verbose`" in wrong, wrong
        wrong = await s.fails("set", {"key": "BC-3"})
        assert "missing field `changes`" in wrong, wrong
        await s.call("show", {"key": "BC-1"})

        # Resources.
        resources = (await s.session.list_resources()).resources
        uris = [r.uri for r in resources]
        assert uris[:2] == ["git-issue://tracker.yml", "git-issue://help/query"], uris
        # BC-4 is the error recorded above.
        assert set(uris[2:]) == {f"issue://BC-{n}" for n in range(1, 5)}, uris
        templates = (await s.session.list_resource_templates()).resource_templates
        assert [t.uri_template for t in templates] == ["issue://{key}"]
        issue = await s.read("issue://BC-1")
        assert issue.startswith("# BC-1: Login fails on Safari\n"), issue
        assert "- status: open\n" in issue and "zeppelin" in issue and "Seen twice" in issue
        assert "key: BC" in await s.read("git-issue://tracker.yml")
        query_help = await s.read("git-issue://help/query")
        assert "`priority:`" in query_help and "p0, p1, p2, p3" in query_help, query_help
        try:
            await s.read("issue://BC-99")
            raise AssertionError("issue://BC-99 should not be found")
        except MCPError as e:
            assert "no issue BC-99" in e.error.message, e.error

        # Prompts, filled with what the tracker holds now.
        prompts = (await s.session.list_prompts()).prompts
        assert {p.name for p in prompts} == {"triage", "release_notes"}
        triage = await s.session.get_prompt("triage", {"limit": "5"})
        text = triage.messages[0].content.text
        assert "BC-1" in text and "BC-3" in text and "`set`" in text, text
        notes = await s.session.get_prompt("release_notes", {"range": "v0.1.0..HEAD"})
        assert "Login fails on Safari" in notes.messages[0].content.text


async def read_only():
    """--read-only lists the read tools only and refuses every write."""
    tip = git("rev-parse", "issues")
    async with Server("--read-only") as s:
        listed = {t.name for t in (await s.session.list_tools()).tools}
        assert listed == READ_TOOLS, listed
        for tool, args in [
            ("new", {"title": "Nope"}),
            ("comment", {"key": "BC-1", "body": "Nope"}),
            ("set", {"key": "BC-1", "changes": ["priority=p0"]}),
            ("close", {"key": "BC-1"}),
            ("reopen", {"key": "BC-1"}),
            ("link", {"key": "BC-1", "pr": "1"}),
            ("record", {"title": "Nope", "component": "db"}),
        ]:
            error = await s.refused(tool, args)
            assert "--read-only" in error.message, error
        found, _ = await s.call("search", {"query": "zeppelin"})
        assert found["total"] == 1
        triage = await s.session.get_prompt("triage", {})
        assert "read-only" in triage.messages[0].content.text
    assert git("rev-parse", "issues") == tip, "a read-only server changed the branch"


async def fresh():
    """A change made by someone else between two calls is seen by the
    second: the command line, and the branch moved back by hand."""
    async with Server() as s:
        before = git("rev-parse", "issues")
        shown, _ = await s.call("show", {"key": "BC-1"})
        assert shown["status"] == "open"
        cli("close", "BC-1")
        shown, _ = await s.call("show", {"key": "BC-1"})
        assert shown["status"] == "closed", shown
        listing, _ = await s.call("list")
        assert [i["key"] for i in listing["issues"]] == ["BC-2"], listing
        assert "- status: closed" in await s.read("issue://BC-1")
        key = cli("new", "Arrived meanwhile", "-m", "Another zeppelin sighting.").strip()
        found, _ = await s.call("search", {"query": "zeppelin"})
        assert {r["key"] for r in found["results"]} == {"BC-1", key}, found
        git("update-ref", "refs/heads/issues", before)
        shown, _ = await s.call("show", {"key": "BC-1"})
        assert shown["status"] == "open", shown
        found, _ = await s.call("search", {"query": "zeppelin"})
        assert [r["key"] for r in found["results"]] == ["BC-1"], found
        error = await s.fails("show", {"key": key})
        assert f"no issue {key}" in error


SECRETS = ["BC-2", "Initech", "bluebird", "swordfish"]


def assert_hidden(where, text):
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked through {where}: {text}"


async def confidential():
    """Without --include-confidential, nothing of a confidential issue or
    of an internal comment reaches the client: not in results, counts,
    snippets, resources, release notes or prompts, and no query can probe
    for their words. With it, both are there."""
    tip = git("rev-parse", "issues")
    async with Server() as s:

        async def call(tool, args=None):
            result = await s.session.call_tool(tool, args or {})
            assert_hidden(f"{tool} {args}", result.model_dump_json())
            return result

        for query in ["", "is:closed", "is:open OR is:closed", "acquisition", "bluebird"]:
            result = await call("list", {"query": query, "all": True})
            assert all(i["key"] != "BC-2" for i in result.structured_content["issues"])
        everything = (await call("list", {"all": True})).structured_content
        assert everything["total"] == 2, everything
        for query in ["bluebird", "swordfish", "Initech", "password", "acquisition"]:
            found = (await call("search", {"query": query})).structured_content
            assert found["total"] == 0, (query, found)
        found = (await call("search", {"query": "hello"})).structured_content
        assert [r["key"] for r in found["results"]] == ["BC-1"], found
        # A negated word of an internal comment must not tell it is there.
        found = (await call("search", {"query": "key:BC-1 -swordfish"})).structured_content
        assert [r["key"] for r in found["results"]] == ["BC-1"], found
        for query in ["-swordfish", "-password -bluebird"]:
            found = (await call("search", {"query": query})).structured_content
            assert found["total"] == 2, (query, found)
        found = (await call("search", {"query": "hello OR swordfish"})).structured_content
        assert [r["key"] for r in found["results"]] == ["BC-1"], found
        found = (await call("list", {"query": "hello -swordfish"})).structured_content
        assert [i["key"] for i in found["issues"]] == ["BC-1"], found
        shown = (await call("show", {"key": "BC-1"})).structured_content
        assert [c["body"] for c in shown["comments"]] == ["hello\n"], shown
        for tool, args in [
            ("show", {"key": "BC-2"}),
            ("comment", {"key": "BC-2", "body": "x"}),
            ("set", {"key": "BC-2", "changes": ["confidential=false"]}),
            ("close", {"key": "BC-2"}),
            ("reopen", {"key": "BC-2"}),
            ("link", {"key": "BC-2", "pr": "7"}),
            ("close", {"key": "BC-1", "duplicate_of": "BC-2"}),
        ]:
            result = await s.session.call_tool(tool, args)
            text = result.content[0].text
            assert result.is_error and "no issue BC-2" in text, (tool, text)
        notes = await call("release_notes", {"range": "v0.1.0..HEAD"})
        assert "BC-1" in notes.content[0].text
        assert_hidden("resources/list", await s.raw("list_resources"))
        assert_hidden("issue://BC-1", await s.read("issue://BC-1"))
        try:
            await s.read("issue://BC-2")
            raise AssertionError("issue://BC-2 was read")
        except MCPError as e:
            assert_hidden("issue://BC-2", e.error.message.replace("BC-2", "the key"))
        for name, args in [("triage", {}), ("release_notes", {"range": "v0.1.0..HEAD"})]:
            prompt = await s.session.get_prompt(name, args)
            assert_hidden(f"prompt {name}", prompt.model_dump_json())
    assert git("rev-parse", "issues") == tip, "a refused write changed the branch"

    async with Server("--include-confidential") as s:
        everything, _ = await s.call("list", {"all": True})
        assert everything["total"] == 3
        found, _ = await s.call("search", {"query": "bluebird"})
        assert [r["key"] for r in found["results"]] == ["BC-2"], found
        found, _ = await s.call("search", {"query": "swordfish"})
        assert [r["key"] for r in found["results"]] == ["BC-1"], found
        shown, _ = await s.call("show", {"key": "BC-1"})
        assert len(shown["comments"]) == 2 and shown == cli_json("show", "BC-1")
        assert "swordfish" in await s.read("issue://BC-1")
        assert "Initech" in await s.read("issue://BC-2")
        notes, _ = await s.call("release_notes", {"range": "v0.1.0..HEAD"})
        keys = [i["key"] for sec in notes["sections"] for i in sec["items"]]
        assert sorted(keys) == ["BC-1", "BC-2"], notes


async def protocol():
    """What no SDK would send, written on the server's stdin by hand: the
    server answers each with a JSON-RPC error (a line that is not JSON too:
    -32700, id null) and goes on serving, in order."""
    async with await anyio.open_process([BIN, "mcp"], env=dict(os.environ)) as proc:
        await talk(proc)


async def talk(proc):
    """The conversation of `protocol`."""
    lines = proc.stdout.__aiter__()
    buffer = b""

    async def send(message):
        text = message if isinstance(message, str) else json.dumps(message)
        await proc.stdin.send((text + "\n").encode())

    async def receive():
        nonlocal buffer
        with anyio.fail_after(20):
            while b"\n" not in buffer:
                buffer += await lines.__anext__()
        line, buffer = buffer.split(b"\n", 1)
        return json.loads(line)

    async def call(id, method, params):
        await send({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
        reply = await receive()
        assert reply.get("id") == id, (method, params, reply)
        return reply

    # Before the handshake too.
    await send("{oops")
    reply = await receive()
    assert reply["error"]["code"] == -32700 and reply["id"] is None, reply
    init = await call(
        1,
        "initialize",
        {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "by-hand", "version": "0"},
        },
    )
    assert init["result"]["serverInfo"]["name"] == "git-issue", init
    await send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    # Not JSON: a parse error (id null) first, then the next request's answer.
    await send("this is not JSON {")
    await send({"jsonrpc": "2.0", "id": 2, "method": "ping"})
    reply = await receive()
    assert reply["error"]["code"] == -32700 and "id" in reply and reply["id"] is None, reply
    assert reply["error"]["message"].startswith("Parse error: the line is not JSON"), reply
    reply = await receive()
    assert reply["id"] == 2 and reply["result"] == {}, reply

    await send({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": "not an object"})
    reply = await receive()
    assert reply["error"]["code"] == -32600 and reply["id"] == 3, reply
    assert reply["error"]["message"].startswith("Invalid request: not a JSON-RPC 2.0"), reply

    reply = await call(4, "tools/call", {"name": "frobnicate", "arguments": {}})
    assert reply["error"]["code"] == -32602, reply
    assert 'no tool named "frobnicate"' in reply["error"]["message"], reply

    reply = await call(5, "no/such/method", {})
    assert reply["error"]["code"] == -32601, reply
    assert reply["error"]["message"] == 'no method named "no/such/method"', reply

    # No params, or arguments that are not an object: what they should be.
    await send({"jsonrpc": "2.0", "id": 8, "method": "tools/call"})
    for reply in [
        await receive(),
        await call(9, "tools/call", {"name": "show", "arguments": [1, 2]}),
    ]:
        assert reply["error"]["code"] == -32602, reply
        assert reply["error"]["message"].startswith('tools/call needs params {"name"'), reply
    await send({"jsonrpc": "2.0", "id": 10, "method": "resources/read"})
    reply = await receive()
    assert reply["error"]["code"] == -32602, reply
    assert reply["error"]["message"] == 'resources/read needs params {"uri": URI}', reply

    reply = await call(6, "tools/call", {"name": "show", "arguments": {"key": 12}})
    assert reply["result"]["isError"], reply
    assert "invalid type: integer `12`, expected a string" in reply["result"]["content"][0]["text"]

    reply = await call(7, "tools/call", {"name": "show", "arguments": {"key": "BC-1"}})
    assert reply["result"]["structuredContent"]["key"] == "BC-1", reply

    await proc.stdin.aclose()
    with anyio.fail_after(20):
        assert await proc.wait() == 0


SCENARIOS = {f.__name__: f for f in [tools, read_only, fresh, confidential, protocol]}

if __name__ == "__main__":
    # One process for every scenario: importing the SDK is the slow part.
    for arg in sys.argv[1:]:
        name, _, directory = arg.partition("=")
        os.chdir(directory)
        print(f"scenario {name} in {directory}", file=sys.stderr)

        async def bounded(scenario=SCENARIOS[name]):
            # A server that stops answering fails the test, never hangs it.
            with anyio.fail_after(300):
                await scenario()

        anyio.run(bounded)
