"""Run a command with SYNCD_TEST_DATABASE_URL pointing at a PostgreSQL server, starting a throwaway one if needed.

    python scripts/with_test_postgres.py -- pytest tests/unit/store

If SYNCD_TEST_DATABASE_URL is already set, the command just runs. Otherwise a cluster is created with `initdb`
in a temporary directory, started with `pg_ctl` on a free port of 127.0.0.1 (its unix socket also in that
directory), given a database, and always stopped and deleted afterwards, also on failure or Ctrl-C. PostgreSQL
refuses to run as root, so as root the server runs as the `postgres` system user. The exit code is the
command's.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

ENV_VAR = "SYNCD_TEST_DATABASE_URL"
SERVER_USER = "postgres"
SUPERUSER = "postgres"
DATABASE = "syncd_test"
# Durability is pointless for a cluster that is deleted afterwards; turning it off makes the tests faster.
SERVER_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class Interrupted(Exception):
    """SIGTERM arrived; raised so the cluster is cleaned up on the way out."""


def main(argv: Sequence[str]) -> int:
    """Parse `-- CMD ARGS...`, provide a database, run CMD, return its exit code."""
    args = list(argv)
    if "--" in args:
        args = args[args.index("--") + 1 :]
    if not args:
        print("usage: with_test_postgres.py -- CMD [ARGS...]", file=sys.stderr)
        return 2
    if os.environ.get(ENV_VAR):
        return run_command(args, dict(os.environ))
    signal.signal(signal.SIGTERM, _raise_interrupted)
    try:
        with throwaway_cluster() as url:
            return run_command(args, {**os.environ, ENV_VAR: url})
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    except Interrupted:
        return 128 + signal.SIGTERM


def run_command(args: list[str], env: dict[str, str]) -> int:
    """Run the command to completion; if we are interrupted, let it finish its own clean-up first."""
    process = subprocess.Popen(args, env=env)  # noqa: S603 - running the caller's command is the point
    try:
        return process.wait()
    except KeyboardInterrupt:
        # Ctrl-C in a terminal reaches the whole process group, so the command has it already; only signal it
        # ourselves if it is still running after a grace period (we alone may have been interrupted).
        _stop(process, signal.SIGINT)
        raise
    except Interrupted:
        _stop(process, signal.SIGTERM)
        raise


def _stop(process: subprocess.Popen[bytes], signum: int) -> None:
    """Give the command a chance to exit, then signal it, then kill it."""
    for action in (None, signum, signal.SIGKILL):
        if action is not None:
            process.send_signal(action)
        try:
            process.wait(timeout=5)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Create, start and yield the URL of a new cluster; stop and delete it when the block exits."""
    initdb, pg_ctl, createdb = (_tool(name) for name in ("initdb", "pg_ctl", "createdb"))
    run_as = _server_user_prefix()
    root = Path(tempfile.mkdtemp(prefix="syncd-pg-"))
    data, log = root / "data", root / "server.log"
    started = False
    try:
        if run_as:
            entry = pwd.getpwnam(SERVER_USER)
            os.chown(root, entry.pw_uid, entry.pw_gid)
        init = [initdb, "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--no-sync"]
        _check("initdb", [*run_as, *init], root, log)
        port = _free_port()
        # pg_ctl hands -o to a shell, hence the quoting of the socket directory.
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {shlex.quote(str(root))} {SERVER_OPTIONS}"
        start = [pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start"]
        _check("pg_ctl start", [*run_as, *start], root, log)
        started = True
        _check("createdb", [createdb, "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER, DATABASE], root, log)
        print(f"with_test_postgres: started {_version(pg_ctl)} on 127.0.0.1:{port}", file=sys.stderr, flush=True)
        yield f"postgresql://{SUPERUSER}@127.0.0.1:{port}/{DATABASE}"
    finally:
        if started:
            stop = [*run_as, pg_ctl, "-D", str(data), "-w", "-t", "30", "stop", "-m"]
            if subprocess.run([*stop, "fast"], cwd=root, capture_output=True, check=False).returncode != 0:  # noqa: S603
                subprocess.run([*stop, "immediate"], cwd=root, capture_output=True, check=False)  # noqa: S603
        shutil.rmtree(root, ignore_errors=True)


def _tool(name: str) -> str:
    """The path of a PostgreSQL program on PATH."""
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"with_test_postgres: {name} not found on PATH; install PostgreSQL or put its bin/ on PATH")
    return path


def _server_user_prefix() -> list[str]:
    """The command prefix that runs the server tools unprivileged: empty unless we are root."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise SystemExit(f"with_test_postgres: running as root needs a {SERVER_USER!r} system user") from None
    runuser = shutil.which("runuser")
    if runuser is None:
        raise SystemExit("with_test_postgres: running as root needs `runuser` to drop privileges")
    return [runuser, "-u", SERVER_USER, "--"]


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _version(pg_ctl: str) -> str:
    """'PostgreSQL 15.x' from `pg_ctl --version`."""
    out = subprocess.run([pg_ctl, "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603
    parts = out.split()
    return f"PostgreSQL {parts[2]}" if len(parts) >= 3 else "PostgreSQL"


def _check(step: str, command: list[str], cwd: Path, log: Path) -> None:
    """Run a set-up step (in a directory the server user can enter); on failure show its output and the log."""
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        server_log = log.read_text(errors="replace") if log.exists() else ""
        sys.stderr.write(result.stdout + result.stderr + server_log)
        raise SystemExit(f"with_test_postgres: {step} failed (exit {result.returncode})")


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise Interrupted


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
