"""A real Neo4j on this machine without Docker: Neo4j Community run in-process by the small Java
class in ``neo4j-local/`` (see its ``pom.xml``), on a classpath that Maven resolves.

* :func:`find_java` finds a JDK >= 21 (Neo4j 2025.10+ needs it).
* :func:`ensure_built` compiles ``neo4j-local`` and resolves its classpath (first use only),
  for the default Neo4j (:data:`DEFAULT_VERSION`) in ``neo4j-local/target/``, or for another
  version, optionally with the Graph Data Science plugin (:data:`GDS_VERSION`, which pairs with
  :data:`GDS_NEO4J_VERSION`), in ``neo4j-local/target/<version>[-gds-<gds version>]/``.
* :func:`dump` / :func:`load`: ``neo4j-admin database dump|load`` of a stopped server's
  database (backups), run from the same artifacts as the server.
* :func:`start` / :func:`stop` / :func:`status` manage one server per data directory. The data
  directory holds the store (``data/``), Neo4j's own logs (``logs/``), and our bookkeeping:
  ``neo4j.pid``, ``neo4j.port`` and ``neo4j.log`` (the process's stdout and stderr).

Bolt listens on 127.0.0.1 only, with authentication disabled: connect with ``auth=None``.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import fcntl
import functools
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from casegraph.errors import LocalNeo4jError

__all__ = [
    "ADMIN_MAIN",
    "DEFAULT_VERSION",
    "GDS_NEO4J_VERSION",
    "GDS_VERSION",
    "HOST",
    "JVM_FLAGS",
    "MAIN_CLASS",
    "MIN_JAVA",
    "READY_MARKER",
    "dump",
    "ensure_built",
    "find_java",
    "free_port",
    "jvm_flags",
    "load",
    "neo4j_local_dir",
    "neo4j_version",
    "plugins_dir",
    "start",
    "status",
    "stop",
]

HOST = "127.0.0.1"
MIN_JAVA = 21
MAIN_CLASS = "casegraph.LocalNeo4j"
READY_MARKER = "casegraph-neo4j ready "
# The Neo4j of neo4j-local/pom.xml, and the Graph Data Science release on Maven Central with the
# Neo4j release it pairs with (GDS releases follow Neo4j's; none is published for 2026.08).
DEFAULT_VERSION = "2026.08.1"
GDS_VERSION = "2.26.0"
GDS_NEO4J_VERSION = "2026.01.4"
GDS_PROCEDURES = "gds.*"
_VERSION_RE = re.compile(r"^20[0-9]{2}\.[0-9]{2}\.[0-9]+$|^5\.[0-9]+\.[0-9]+$")

# What Neo4j's own launcher passes (see ConfigFileMigrator / the default neo4j.conf), minus
# the flags meant for long-running production servers (e.g. -XX:+AlwaysPreTouch).
JVM_FLAGS: tuple[str, ...] = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+ExitOnOutOfMemoryError",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
)
# JDK 23+ warns on every start that sun.misc.Unsafe memory access is deprecated; Neo4j and its
# libraries still use it.
_UNSAFE_FLAG = "--sun-misc-unsafe-memory-access=allow"

_PID_FILE = "neo4j.pid"
_PORT_FILE = "neo4j.port"
_LOG_FILE = "neo4j.log"
_LOCK_FILE = "neo4j.lock"
_CLASSPATH_FILE = "classpath.txt"
_STAMP_FILE = "casegraph-build.stamp"
_PLUGINS_DIR = "plugins"
_VERSION_FILE = "neo4j.version"
_MEMORY_RE = re.compile(r"^[1-9][0-9]*[kKmMgG]?$")


# --------------------------------------------------------------------------- Java and Maven


@functools.lru_cache(maxsize=64)
def _java_version(java: Path) -> int | None:
    """The feature version of a ``java`` binary (17, 21, 25 …), or None if it does not run."""
    release = java.parent.parent / "release"
    with contextlib.suppress(OSError):
        match = re.search(r'^JAVA_VERSION="([0-9.]+)', release.read_text(), re.MULTILINE)
        if match:
            return _feature_version(match.group(1))
    try:
        done = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'version "([0-9.]+)', done.stderr + done.stdout)
    return _feature_version(match.group(1)) if match else None


def _feature_version(text: str) -> int | None:
    parts = text.split(".")
    try:
        major = int(parts[0])
        return int(parts[1]) if major == 1 and len(parts) > 1 else major
    except ValueError:
        return None


def _java_in(home: Path) -> Path | None:
    java = home / "bin" / "java"
    return java if java.is_file() and os.access(java, os.X_OK) else None


def _home_version(home: Path) -> int:
    java = _java_in(home)
    return (_java_version(java) or 0) if java else 0


def find_java() -> Path:
    """The ``java`` binary of a JDK >= 21.

    Looked for, in order: ``$CASEGRAPH_JAVA_HOME`` (an error if it is set but unusable),
    ``$JAVA_HOME``, ``/usr/lib/jvm/*temurin-25*``, any other ``/usr/lib/jvm/*`` (newest first),
    then ``java`` on ``PATH``.
    """
    explicit = os.environ.get("CASEGRAPH_JAVA_HOME")
    if explicit:
        java = _java_in(Path(explicit))
        version = _java_version(java) if java else None
        if java is None or version is None or version < MIN_JAVA:
            found = f"Java {version}" if version else "no working bin/java"
            raise LocalNeo4jError(
                f"CASEGRAPH_JAVA_HOME={explicit} must be a JDK >= {MIN_JAVA}, but has {found}"
            )
        return java

    candidates: list[Path] = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]))
    jvm_root = Path("/usr/lib/jvm")
    if jvm_root.is_dir():
        homes = sorted(p for p in jvm_root.iterdir() if p.is_dir() and not p.is_symlink())
        candidates += [p for p in homes if "temurin-25" in p.name]
        others = [p for p in homes if "temurin-25" not in p.name]
        others.sort(key=_home_version, reverse=True)
        candidates += others
    on_path = shutil.which("java")
    if on_path:
        candidates.append(Path(on_path).resolve().parent.parent)

    seen: list[str] = []
    for home in candidates:
        java = _java_in(home)
        version = _java_version(java) if java else None
        seen.append(f"{home} ({'Java ' + str(version) if version else 'no java'})")
        if java is not None and version is not None and version >= MIN_JAVA:
            return java
    raise LocalNeo4jError(
        f"no Java >= {MIN_JAVA} found (Neo4j needs it). Looked at $CASEGRAPH_JAVA_HOME, "
        f"$JAVA_HOME, /usr/lib/jvm/*temurin-25*, /usr/lib/jvm/* and java on PATH; found: "
        f"{', '.join(seen) or 'nothing'}. Install a JDK 21+ (e.g. Temurin 25) and set "
        f"CASEGRAPH_JAVA_HOME to it."
    )


def neo4j_local_dir(project_root: Path | None = None) -> Path:
    """The ``neo4j-local`` Maven module: *project_root* (the module itself), else
    ``$CASEGRAPH_NEO4J_LOCAL_DIR``, else ``neo4j-local/`` beside the ``casegraph`` package."""
    if project_root is not None:
        root = Path(project_root)
    elif os.environ.get("CASEGRAPH_NEO4J_LOCAL_DIR"):
        root = Path(os.environ["CASEGRAPH_NEO4J_LOCAL_DIR"])
    else:
        root = Path(__file__).resolve().parent.parent / "neo4j-local"
    root = root.resolve()
    if not (root / "pom.xml").is_file():
        raise LocalNeo4jError(
            f"the neo4j-local Maven module was not found at {root} (no pom.xml); "
            "set CASEGRAPH_NEO4J_LOCAL_DIR to the neo4j-local directory of a casegraph checkout"
        )
    return root


def check_version(version: str) -> str:
    """*version* if it looks like a Neo4j release (``2026.01.4``, ``5.26.0``)."""
    if not _VERSION_RE.match(version):
        raise LocalNeo4jError(f"not a Neo4j version: {version!r} (e.g. {DEFAULT_VERSION})")
    return version


def build_dir(root: Path, version: str | None = None, *, with_gds: bool = False) -> Path:
    """Where the build of *version* (with GDS or not) goes: ``target/`` for the default
    Neo4j without plugins, else ``target/<version>[-gds-<GDS_VERSION>]/``."""
    version = check_version(version or DEFAULT_VERSION)
    if version == DEFAULT_VERSION and not with_gds:
        return root / "target"
    return root / "target" / (version + (f"-gds-{GDS_VERSION}" if with_gds else ""))


def _main_class_file(build: Path) -> Path:
    return build / "classes" / Path(*MAIN_CLASS.split(".")).with_suffix(".class")


def _needs_build(root: Path, build: Path, with_gds: bool) -> bool:
    stamp = build / _STAMP_FILE
    classpath = build / _CLASSPATH_FILE
    if not (stamp.is_file() and classpath.is_file() and _main_class_file(build).is_file()):
        return True
    if with_gds and not any((build / _PLUGINS_DIR).glob("*.jar")):
        return True
    built = stamp.stat().st_mtime
    inputs = [root / "pom.xml", *(root / "src").rglob("*.java")]
    if any(p.stat().st_mtime > built for p in inputs):
        return True
    # The local Maven repository may have been cleaned since.
    jars = [j for j in classpath.read_text().strip().split(os.pathsep) if j]
    return not jars or not all(Path(j).exists() for j in jars)


def _link_plugins(build: Path, jars: list[str]) -> None:
    """The GDS jars (group ``org.neo4j.gds``) of the classpath, linked into the plugin
    directory, from which Neo4j registers their procedures."""
    plugins = build / _PLUGINS_DIR
    shutil.rmtree(plugins, ignore_errors=True)
    plugins.mkdir(parents=True)
    marker = f"{os.sep}org{os.sep}neo4j{os.sep}gds{os.sep}"
    for jar in jars:
        if marker in jar and jar.endswith(".jar"):
            (plugins / Path(jar).name).symlink_to(jar)


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def ensure_built(
    project_root: Path | None = None, *, version: str | None = None, with_gds: bool = False
) -> tuple[Path, str]:
    """Compile ``neo4j-local`` and resolve its classpath with Maven if that has not been done
    since ``pom.xml`` or the Java source last changed. The first run downloads Neo4j (and,
    *with_gds*, Graph Data Science :data:`GDS_VERSION`) from Maven Central into ``~/.m2``.
    *version* is the Neo4j release (default :data:`DEFAULT_VERSION`). Returns the ``java`` to
    run it with and the full classpath."""
    java = find_java()
    root = neo4j_local_dir(project_root)
    version = neo4j_version(version, with_gds=with_gds)
    build = build_dir(root, version, with_gds=with_gds)
    classpath_file = build / _CLASSPATH_FILE
    with _file_lock(build / ".build.lock"):
        if _needs_build(root, build, with_gds):
            mvn = shutil.which("mvn")
            if mvn is None:
                raise LocalNeo4jError(
                    "Maven (mvn) is not on PATH; it is needed once to fetch Neo4j from Maven "
                    "Central and build neo4j-local. Install Maven 3.6+ (e.g. apt-get install "
                    "maven) and retry."
                )
            env = dict(os.environ, JAVA_HOME=str(java.parent.parent))
            command = [
                mvn, "-B", "-q", "-f", str(root / "pom.xml"),
                "compile", "dependency:build-classpath",
                f"-Dmdep.outputFile={classpath_file}",
                "-Dmdep.includeScope=runtime",
                "-Dmdep.regenerateFile=true",
            ]  # fmt: skip
            if build != root / "target":
                command += [f"-Dcasegraph.build={build}", f"-Dneo4j.version={version}"]
            if with_gds:
                command.append(f"-Dgds.version={GDS_VERSION}")
            try:
                done = subprocess.run(
                    command, cwd=root, env=env, capture_output=True, text=True, check=False
                )
            except OSError as exc:
                raise LocalNeo4jError(f"could not run Maven ({mvn}): {exc}") from exc
            if done.returncode != 0:
                output = _tail_text(done.stdout + done.stderr, 60)
                raise LocalNeo4jError(
                    f"building neo4j-local with Maven failed (exit {done.returncode}): "
                    f"{' '.join(command)}\n{output}"
                )
            for written in (classpath_file, _main_class_file(build)):
                if not written.is_file():
                    raise LocalNeo4jError(f"Maven did not write {written} (neo4j-local build)")
            if with_gds:
                _link_plugins(build, classpath_file.read_text().strip().split(os.pathsep))
            (build / _STAMP_FILE).write_text(f"{time.time()}\n")
    jars = classpath_file.read_text().strip()
    return java, os.pathsep.join([str(build / "classes"), jars])


def neo4j_version(version: str | None = None, *, with_gds: bool = False) -> str:
    """The Neo4j release to run: *version*, else :data:`GDS_NEO4J_VERSION` with GDS, else
    :data:`DEFAULT_VERSION`."""
    if version is None:
        return GDS_NEO4J_VERSION if with_gds else DEFAULT_VERSION
    return check_version(version)


def plugins_dir(version: str | None = None, *, with_gds: bool = False) -> Path | None:
    """The plugin directory of a build (``None`` without plugins)."""
    if not with_gds:
        return None
    version = neo4j_version(version, with_gds=True)
    return build_dir(neo4j_local_dir(), version, with_gds=True) / _PLUGINS_DIR


def jvm_flags(java: Path) -> list[str]:
    """The JVM flags for running Neo4j's code (the server, or its import tool) on ``java``."""
    version = _java_version(java) or MIN_JAVA
    return [*JVM_FLAGS, *([_UNSAFE_FLAG] if version >= 23 else [])]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- processes

# Servers this Python process started, so that stop() can reap them (a zombie still "exists").
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


@atexit.register
def _detach_children() -> None:
    """Servers outlive the process that started them on purpose (``casegraph neo4j start``
    returns once Neo4j is ready); tell ``Popen.__del__`` not to warn that they still run."""
    for child in _CHILDREN.values():
        if child.poll() is None:
            child.returncode = 0
    _CHILDREN.clear()


def _alive(pid: int) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        if child.poll() is None:
            return True
        del _CHILDREN[pid]
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, IndexError):  # a zombie someone else will reap
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def _is_ours(pid: int) -> bool:
    """Whether *pid* is a LocalNeo4j server (guards against a recycled pid)."""
    if not Path("/proc/self").exists():  # no procfs (macOS): trust the pid file
        return _alive(pid)
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False
    except OSError:
        return _alive(pid)
    return MAIN_CLASS.encode() in cmdline


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def _running_pid(data_dir: Path) -> int | None:
    pid = _read_int(data_dir / _PID_FILE)
    if pid is not None and _alive(pid) and _is_ours(pid):
        return pid
    return None


def _uri(port: int) -> str:
    return f"bolt://{HOST}:{port}"


def _bolt_answers(uri: str, timeout: float = 3.0) -> bool:
    from neo4j import GraphDatabase

    try:
        driver = GraphDatabase.driver(uri, auth=None, connection_timeout=timeout)
    except Exception:
        return False
    try:
        driver.verify_connectivity()
        return True
    except Exception:
        return False
    finally:
        driver.close()


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As the JVM and Netty do: a port in TIME_WAIT is free, a listening one is not.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def _tail_text(text: str, lines: int) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _log_tail(log: Path, lines: int = 40) -> str:
    """The end of *log*, preceded by LocalNeo4j's own failure message if it wrote one."""
    try:
        data = log.read_bytes()[-50000:].decode("utf-8", "replace")
    except OSError:
        return "(no log)"
    tail = _tail_text(data, lines) or "(empty log)"
    ours = [line for line in data.splitlines() if line.startswith("casegraph-neo4j: failed")]
    if ours and ours[-1] not in tail:
        tail = f"{ours[-1]}\n...\n{tail}"
    return tail


def _log_has_ready(log: Path) -> bool:
    try:
        return READY_MARKER.encode() in log.read_bytes()
    except OSError:
        return False


def _check_memory(name: str, value: str) -> None:
    if not _MEMORY_RE.match(value):
        raise LocalNeo4jError(f"{name} must look like 512m or 1g, not {value!r}")


def _wait_ready(
    pid: int, uri: str, log: Path, deadline: float, child: subprocess.Popen[bytes] | None
) -> None:
    """Waits until *pid* printed its ready line and Bolt answers at *uri*."""
    while True:
        if not _alive(pid):
            code = child.returncode if child is not None else None
            how = f"exited with status {code}" if code is not None else "exited"
            raise LocalNeo4jError(
                f"Neo4j {how} before it was ready on {uri}; the end of {log}:\n{_log_tail(log)}"
            )
        if _log_has_ready(log) and _bolt_answers(uri):
            return
        if time.monotonic() > deadline:
            raise LocalNeo4jError(
                f"Neo4j did not answer on {uri} in time; the end of {log}:\n{_log_tail(log)}"
            )
        time.sleep(0.25)


def start(
    port: int,
    data_dir: Path,
    *,
    timeout: float = 120,
    pagecache: str = "512m",
    heap: str = "1g",
    version: str | None = None,
    with_gds: bool = False,
) -> str:
    """Starts Neo4j on ``127.0.0.1:port`` with its store in *data_dir* and returns the Bolt URI
    once ``verify_connectivity()`` succeeds.

    *version* picks the Neo4j release (default :data:`DEFAULT_VERSION`); *with_gds* adds the
    Graph Data Science plugin (:data:`GDS_VERSION`, whose procedures ``gds.*`` are then
    unrestricted), which needs the Neo4j it pairs with (:data:`GDS_NEO4J_VERSION`). A store
    written by one Neo4j version is not opened by an older one: give each its own *data_dir*.

    Idempotent: if the server of *data_dir* already runs, its URI is returned (waiting for it to
    become ready if it is still starting). Raises :class:`LocalNeo4jError` when the port is taken
    by something else, Java or Maven is missing, or Neo4j dies or is not ready within *timeout*
    seconds (the Maven build on first use is not counted), with the end of its log.
    """
    if not 0 < port < 65536:
        raise LocalNeo4jError(f"invalid port {port}")
    _check_memory("heap", heap)
    _check_memory("pagecache", pagecache)
    version = neo4j_version(version, with_gds=with_gds)
    data_dir = Path(data_dir).expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / _LOG_FILE

    with _file_lock(data_dir / _LOCK_FILE):
        pid = _running_pid(data_dir)
        if pid is not None:
            running_port = _read_int(data_dir / _PORT_FILE) or port
            uri = _uri(running_port)
            _wait_ready(pid, uri, log, time.monotonic() + timeout, _CHILDREN.get(pid))
            return uri
        (data_dir / _PID_FILE).unlink(missing_ok=True)

        if not _port_free(port):
            raise LocalNeo4jError(
                f"port {port} is already in use on {HOST} by another process; stop it or choose "
                f"another port (e.g. casegraph neo4j start --port {port + 1})"
            )

        java, classpath = ensure_built(version=version, with_gds=with_gds)
        plugins = plugins_dir(version, with_gds=with_gds)
        java_version = _java_version(java) or MIN_JAVA
        command = [
            str(java),
            f"-Xms{heap}",
            f"-Xmx{heap}",
            *JVM_FLAGS,
            *([_UNSAFE_FLAG] if java_version >= 23 else []),
            "-cp",
            classpath,
            MAIN_CLASS,
            "--port", str(port),
            "--data", str(data_dir),
            "--pagecache", pagecache,
        ]  # fmt: skip
        if plugins is not None:
            command += ["--plugins", str(plugins), "--unrestricted", GDS_PROCEDURES]
        if log.exists():  # keep the previous run's log (a running JVM keeps writing to it)
            log.replace(log.with_name(_LOG_FILE + ".1"))
        with log.open("wb") as handle:
            try:
                child = subprocess.Popen(
                    command,
                    cwd=data_dir,
                    stdin=subprocess.DEVNULL,
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    close_fds=True,
                )
            except OSError as exc:
                raise LocalNeo4jError(f"could not run {java}: {exc}") from exc
        _CHILDREN[child.pid] = child
        _write_atomic(data_dir / _PID_FILE, f"{child.pid}\n")
        _write_atomic(data_dir / _PORT_FILE, f"{port}\n")
        _write_atomic(
            data_dir / _VERSION_FILE,
            f"{version}{' gds ' + GDS_VERSION if with_gds else ''}\n",
        )
        uri = _uri(port)
        try:
            _wait_ready(child.pid, uri, log, time.monotonic() + timeout, child)
        except LocalNeo4jError:
            if child.poll() is None:
                _terminate(child.pid, 10)
            (data_dir / _PID_FILE).unlink(missing_ok=True)
            raise
        return uri


def _terminate(pid: int, timeout: float) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
    child = _CHILDREN.pop(pid, None)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=1)


def stop(data_dir: Path, timeout: float = 60) -> bool:
    """Stops the server of *data_dir*: SIGTERM (a clean shutdown), then SIGKILL after *timeout*
    seconds. Returns whether one was running. Idempotent."""
    data_dir = Path(data_dir).expanduser().resolve()
    pid_file = data_dir / _PID_FILE
    if not data_dir.is_dir():
        return False
    with _file_lock(data_dir / _LOCK_FILE):
        pid = _running_pid(data_dir)
        if pid is None:
            pid_file.unlink(missing_ok=True)
            return False
        _terminate(pid, timeout)
        pid_file.unlink(missing_ok=True)
        return True


def status(data_dir: Path) -> dict[str, Any]:
    """``running`` (the process is alive), ``ready`` (Bolt answers), ``pid``, ``port``,
    ``uri``, ``data_dir`` and ``log`` of the server of *data_dir*."""
    data_dir = Path(data_dir).expanduser().resolve()
    pid = _running_pid(data_dir)
    port = _read_int(data_dir / _PORT_FILE)
    uri = _uri(port) if port is not None else None
    return {
        "running": pid is not None,
        "ready": bool(pid is not None and uri is not None and _bolt_answers(uri)),
        "pid": pid,
        "port": port,
        "uri": uri,
        "data_dir": str(data_dir),
        "log": str(data_dir / _LOG_FILE),
        "version": _read_text(data_dir / _VERSION_FILE),
    }


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text().strip() or None
    except OSError:
        return None


# --------------------------------------------------------------------------- dump and load

ADMIN_MAIN = "org.neo4j.cli.AdminTool"
DATABASE = "neo4j"


def _refuse_running(data_dir: Path, what: str) -> None:
    state = status(data_dir)
    if state["running"]:
        raise LocalNeo4jError(
            f"the local Neo4j of {data_dir} is running (pid {state['pid']}); stop it first "
            f"(casegraph neo4j stop --data {data_dir}): {what} needs it offline; nothing was done"
        )


def _admin(data_dir: Path, args: list[str], work: Path, heap: str = "1g") -> None:
    """Run ``neo4j-admin`` (the same Neo4j, from the same Maven artifacts, as the server)
    with ``data_dir`` as its home; raise :class:`LocalNeo4jError` with its output if it
    fails."""
    _check_memory("heap", heap)
    java, classpath = ensure_built()
    conf = work / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "neo4j.conf").write_text("", encoding="utf-8")
    command = [str(java), f"-Xmx{heap}", *jvm_flags(java), "-cp", classpath, ADMIN_MAIN, *args]
    env = dict(os.environ, NEO4J_HOME=str(data_dir), NEO4J_CONF=str(conf))
    try:
        done = subprocess.run(
            command, cwd=work, env=env, stdin=subprocess.DEVNULL, capture_output=True,
            text=True, check=False,
        )  # fmt: skip
    except OSError as exc:
        raise LocalNeo4jError(f"could not run {java}: {exc}") from exc
    if done.returncode != 0:
        raise LocalNeo4jError(
            f"neo4j-admin {' '.join(args[:2])} failed (exit {done.returncode}):\n"
            + _tail_text(done.stdout + done.stderr, 40)
        )


def dump(data_dir: Path, to_file: Path, *, replace: bool = False) -> Path:
    """``neo4j-admin database dump`` of the ``neo4j`` database of the (stopped) local Neo4j
    in ``data_dir`` into ``to_file``. Refuses while that Neo4j runs, and (unless
    ``replace``) when ``to_file`` exists. Returns the file."""
    data_dir = Path(data_dir).expanduser().resolve()
    to_file = Path(to_file).expanduser().resolve()
    if not (data_dir / "data" / "databases" / DATABASE).is_dir():
        raise LocalNeo4jError(f"{data_dir} holds no {DATABASE} database to dump")
    if to_file.exists() and not replace:
        raise LocalNeo4jError(f"{to_file} exists; give --replace to overwrite it")
    _refuse_running(data_dir, "a dump")
    to_file.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".casegraph-dump-", dir=to_file.parent))
    try:
        with _file_lock(data_dir / _LOCK_FILE):
            _refuse_running(data_dir, "a dump")
            _admin(data_dir, ["database", "dump", DATABASE, f"--to-path={work}"], work)
        (work / f"{DATABASE}.dump").replace(to_file)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return to_file


def load(data_dir: Path, from_file: Path, *, replace: bool = False) -> None:
    """``neo4j-admin database load`` of a dump (:func:`dump`, or one of Neo4j's own) into
    the ``neo4j`` database of the local Neo4j in ``data_dir`` (made if missing). Refuses
    while that Neo4j runs, and (unless ``replace``) when it already holds a database."""
    data_dir = Path(data_dir).expanduser().resolve()
    from_file = Path(from_file).expanduser().resolve()
    if not from_file.is_file():
        raise LocalNeo4jError(f"no dump file at {from_file}")
    store = data_dir / "data" / "databases" / DATABASE
    if store.is_dir() and any(store.iterdir()) and not replace:
        raise LocalNeo4jError(
            f"{data_dir} already holds a database; give --replace to load the dump in its "
            "place (the old one is deleted), or choose another --data folder"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    _refuse_running(data_dir, "a load")
    work = Path(tempfile.mkdtemp(prefix=".casegraph-load-", dir=data_dir))
    try:
        (work / f"{DATABASE}.dump").symlink_to(from_file)
        with _file_lock(data_dir / _LOCK_FILE):
            _refuse_running(data_dir, "a load")
            _admin(
                data_dir,
                ["database", "load", DATABASE, f"--from-path={work}",
                 f"--overwrite-destination={'true' if replace else 'false'}"],
                work,
            )  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
