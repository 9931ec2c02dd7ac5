"""The `front-emulator` command: serve the emulator, or wait until one is ready."""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from emulator import __version__
from emulator.app import create_app, create_store
from emulator.config import Config, ConfigError, allowed_host_names, config_from_env, parse_creation_delay
from emulator.listening import listen, url_host
from emulator.readiness import NotReady, wait_until_ready
from emulator.serving import server_for, tune_garbage_collector
from emulator.workspace_files import WorkspaceFileError, resolve_workspace_file

if TYPE_CHECKING:
    from emulator.contract.report import ContractReport


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return int(args.run(args))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="front-emulator", description="A local emulator of Front custom channels."
    )
    parser.add_argument("--version", action="version", version=f"front-emulator {__version__}")
    commands = parser.add_subparsers(dest="command")

    serve = commands.add_parser("serve", help="run the emulator as an HTTP server")
    serve.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default 8025; 0 picks a free one)")
    serve.add_argument(
        "--workspace",
        help="workspace file (JSON or YAML) instead of the default one; a packaged fixture's name "
        "(e.g. multi-channel-workspace.json) means that fixture",
    )
    serve.add_argument(
        "--fixtures-dir",
        type=Path,
        action="append",
        metavar="DIR",
        help="a folder POST /_emulator/seed may read workspace files from (repeatable)",
    )
    serve.add_argument(
        "--creation-delay",
        metavar="S | MIN..MAX",
        help="seconds before an accepted incoming message exists (default 0)",
    )
    serve.add_argument("--seed", type=int, help="seed for ids, uids and random delays")
    serve.add_argument(
        "--rate-limit", type=int, metavar="PER_MINUTE", help="enforce Front's per-minute limit"
    )
    serve.add_argument(
        "--burst-limit", action="store_true", help="enforce 5 requests/s per channel on incoming_messages"
    )
    serve.add_argument(
        "--allow-host",
        action="append",
        metavar="NAME",
        help="also answer requests for this Host name, e.g. a CI service name (repeatable)",
    )
    serve.add_argument("--log-level", default="warning", help="uvicorn log level (default warning)")
    serve.set_defaults(run=_serve)

    readyz = commands.add_parser(
        "readyz",
        help="exit 0 once a front-emulator answers /_emulator/readyz",
        description="Exit 0 once a front-emulator answers URL/_emulator/readyz; exit 1 at once if something "
        "else answers there or, with --pid, if that process has exited or another process answers.",
    )
    readyz.add_argument("--url", default="http://127.0.0.1:8025", help="emulator base URL")
    readyz.add_argument(
        "--wait", type=float, default=0, metavar="SECONDS", help="keep trying this long (default 0)"
    )
    readyz.add_argument(
        "--pid",
        type=int,
        help="the server's process id (e.g. $! after `front-emulator serve &`): it must be the one answering",
    )
    readyz.set_defaults(run=_readyz)

    contract = commands.add_parser("contract", help="check an integration against Front's contract")
    contract_kinds = contract.add_subparsers(dest="contract_kind", required=True)
    outgoing = contract_kinds.add_parser(
        "outgoing", help="send generated, signed and forged messages to an integration's Outgoing URL"
    )
    _contract_options(outgoing, "the integration's Outgoing URL", "the company API secret it verifies with")
    outgoing.add_argument("--scheme", choices=("sha1-body", "sha256-timestamp"), default="sha1-body")
    outgoing.set_defaults(run=_contract_outgoing)
    application = contract_kinds.add_parser(
        "application",
        help="authorize a channel of an app, then send it generated, signed and forged events",
    )
    _contract_options(
        application, "the app's webhook URL (where Front sends authorization)", "the App secret"
    )
    application.add_argument(
        "--delete-signature",
        choices=("body", "undefined"),
        default="body",
        help="what the app verifies a DELETE over: its body, or the string undefined (default body)",
    )
    application.set_defaults(run=_contract_application)
    return parser


def _contract_options(parser: argparse.ArgumentParser, url_help: str, secret_help: str) -> None:
    parser.add_argument("--url", required=True, help=url_help)
    parser.add_argument("--secret", required=True, help=secret_help)
    parser.add_argument("--examples", type=int, default=100, help="generated messages (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="same seed, same payloads (default 0)")
    parser.add_argument("--timeout", type=float, default=7.0, help="seconds per answer (default 7)")
    parser.add_argument("--junit", type=Path, metavar="FILE", help="also write a JUnit XML report")
    parser.add_argument(
        "--shrink-seconds",
        type=float,
        default=5.0,
        help="time to shrink each failure; 0 reports it as found (default 5)",
    )


def _serve(args: argparse.Namespace) -> int:
    try:
        settings = config_from_env()
        flags = {
            "host": args.host,
            "port": args.port,
            "workspace_path": None if args.workspace is None else resolve_workspace_file(args.workspace),
            "fixtures_dirs": None if args.fixtures_dir is None else tuple(args.fixtures_dir),
            "creation_delay": None
            if args.creation_delay is None
            else parse_creation_delay(args.creation_delay),
            "seed": args.seed,
            "rate_limit_per_minute": args.rate_limit,
            "burst_limit": args.burst_limit or None,
            "allowed_hosts": allowed_host_names(args.allow_host) if args.allow_host else None,
        }
        settings.update({key: value for key, value in flags.items() if value is not None})
        config = Config(**settings)  # type: ignore[arg-type]
        if config.rate_limit_per_minute is not None and config.rate_limit_per_minute < 1:
            raise ConfigError("--rate-limit must be at least 1 request per minute")
        store = create_store(config)
    except (ConfigError, WorkspaceFileError) as error:
        print(f"front-emulator: {error}", file=sys.stderr)
        return 2
    try:
        listener = listen(config.host, config.port)
    except OSError as error:
        where = f"{url_host(config.host)}:{config.port}"
        print(f"front-emulator: cannot listen on {where}: {error.strerror or error}", file=sys.stderr)
        return 2
    # The real port (`--port 0` picks one), so payloads link back and the announcement shows where it is.
    config = replace(config, port=listener.getsockname()[1])
    app = create_app(config, store)
    # Bounded header size and read timeouts, a prompt stop on SIGTERM: see emulator/serving.py.
    server = server_for(app, config, args.log_level)
    # Print the URLs only once uvicorn serves, so they answer as soon as they are shown.
    original_startup = server.startup

    async def startup_and_announce(sockets: list[socket.socket] | None = None) -> None:
        await original_startup(sockets=sockets)
        if server.started:
            _announce(config, store, config.base_url)

    server.startup = startup_and_announce  # type: ignore[method-assign]
    tune_garbage_collector()
    server.run(sockets=[listener])
    return 0 if server.started else 1


def _announce(config: Config, store: object, base: str) -> None:
    workspace = store.workspace  # type: ignore[attr-defined]
    full_token = max(workspace.tokens, key=lambda token: len(token.scopes))
    lines = [
        f"front-emulator listening on {base}",
        f"  API base URL:   {base}",
        f"  Inspector:      {base}/_emulator/ui",
        f"  Workspace:      {base}/_emulator/workspace",
        f"  Ready check:    {base}/_emulator/readyz",
        f"  API token:      {full_token.token}",
        f"  API secret:     {workspace.api_secret}",
        f"  Creation delay: {config.creation_delay} s",
        "  Channels:",
    ]
    lines += [f"    {c.id}  {c.type:<7} {c.address}  ({c.name})" for c in workspace.channels]
    lines += [
        f"  Application:    {app.uid} ({app.name}) secret {app.secret}, channels: "
        + (", ".join(c.id for c in workspace.channels if c.application == app.uid) or "none")
        for app in workspace.applications
    ]
    lines.append(f"  Try: curl -H 'Authorization: Bearer {full_token.token}' {base}/channels")
    print("\n".join(lines), flush=True)


def _readyz(args: argparse.Namespace) -> int:
    url = args.url.rstrip("/") + "/_emulator/readyz"
    try:
        wait_until_ready(url, args.wait, args.pid)
    except NotReady as reason:
        print(reason, file=sys.stderr)
        return 1
    print(f"ready: {url}")
    return 0


def _contract_outgoing(args: argparse.Namespace) -> int:
    # Imported here: Hypothesis and the schema strategies are slow to import and only this command needs them;
    # without the [contract] extra the import fails with a message naming the extra.
    try:
        from emulator.contract.runner import run_outgoing_contract
    except ImportError as missing:
        return _without_contract_extra(missing)
    return _contract(args, run_outgoing_contract, scheme=args.scheme)


def _contract_application(args: argparse.Namespace) -> int:
    try:
        from emulator.contract.application import run_application_contract
    except ImportError as missing:
        return _without_contract_extra(missing)
    return _contract(args, run_application_contract, delete_signature=args.delete_signature)


def _without_contract_extra(missing: ImportError) -> int:
    print(f"front-emulator: {missing}", file=sys.stderr)
    return 2


def _contract(args: argparse.Namespace, run: Callable[..., ContractReport], **options: object) -> int:
    """Run a contract runner: the report on stdout, a progress bar on stderr; exit 0 when every check
    passed, 1 on any violation, 2 on usage errors."""
    if not args.url.startswith(("http://", "https://")):
        print(f"front-emulator: --url {args.url!r} must start with http:// or https://", file=sys.stderr)
        return 2
    if args.examples < 1 or args.timeout <= 0:
        print("front-emulator: --examples must be at least 1 and --timeout positive", file=sys.stderr)
        return 2

    def progress(done: int, total: int) -> None:
        filled = done * 20 // total
        print(f"\r[{'#' * filled}{'.' * (20 - filled)}] {done}/{total}", end="", file=sys.stderr, flush=True)

    report = run(
        args.url,
        args.secret,
        examples=args.examples,
        seed=args.seed,
        timeout=args.timeout,
        progress=progress,
        shrink_seconds=args.shrink_seconds,
        **options,
    )
    print(file=sys.stderr)
    print(report.format())
    if args.junit is not None:
        args.junit.write_text(report.to_junit_xml(), "utf-8")
    return 0 if report.ok else 1
