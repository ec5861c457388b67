"""Fault tests against the real release binary.

(a) PostgreSQL stops during traffic: requests are answered 503 problem+json
    within a few seconds, and the service recovers by itself once it is back.
(b) SIGKILL during a burst of writes: after a restart every acknowledged write
    is there, on SQLite and on PostgreSQL.
(c) SIGTERM during traffic: in-flight requests finish, then the process exits 0.

Usage: faults.py BINARY PG_SERVER_URL PG_TOOLS_DIR
Standard library only. Every loop is bounded in count and time.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

BIN, PG_SERVER, PG_BIN = sys.argv[1], sys.argv[2], sys.argv[3]
DEMO_PASSWORD = "passerelle-demo-2026"
STUDENT = "salma.bennani@ecc.example.org"
STAFF = "carrieres@ecc.example.org"
WORK = tempfile.mkdtemp(prefix="passerelle-faults-")
failures = []


def log(message):
    print(f"[faults] {message}", flush=True)


def check(condition, message):
    if condition:
        log(f"ok: {message}")
    else:
        log(f"FAILED: {message}")
        failures.append(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(base, method, path, token=None, body=None, content_type="application/json", headers=None, timeout=15):
    """Returns (status or None, headers, parsed body or text, seconds)."""
    data = None
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("content-type", content_type)
    if token:
        req.add_header("authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            status, hdrs, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, hdrs, raw = error.code, dict(error.headers), error.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout, OSError):
        return None, {}, None, time.monotonic() - started
    elapsed = time.monotonic() - started
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")
    return status, {k.lower(): v for k, v in hdrs.items()}, parsed, elapsed


class Server:
    def __init__(self, database_url, name, demo=True, env=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(WORK, f"{name}.log")
        environment = dict(os.environ)
        environment.update(
            {
                "PASSERELLE_DATABASE_URL": database_url,
                "PASSERELLE_BIND": f"127.0.0.1:{self.port}",
                "PASSERELLE_AUTH__SIGNING_KEYS": "faults:a-signing-key-for-the-fault-tests-only-0123456789",
                "PASSERELLE_AUTH__LOGIN_ATTEMPTS_PER_MINUTE": "10000",
                "PASSERELLE_LIMITS__REQUESTS_PER_MINUTE": "0",
                "PASSERELLE_POOL_TIMEOUT_SECONDS": "2",
                "PASSERELLE_LOG_FORMAT": "json",
                "RUST_LOG": "warn",
            }
        )
        environment.update(env or {})
        args = [BIN, "serve"] + (["--demo"] if demo else [])
        self.log_file = open(self.log_path, "a")
        self.process = subprocess.Popen(args, env=environment, stdout=self.log_file, stderr=subprocess.STDOUT)

    def wait_ready(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {self.log_path}")
            status, _, _, _ = request(self.base, "GET", "/health/ready", timeout=2)
            if status == 200:
                return self
            time.sleep(0.25)
        raise RuntimeError(f"server not ready within {seconds}s; see {self.log_path}")

    def login(self, email):
        status, _, body, _ = request(self.base, "POST", "/api/v1/auth/login", body={"email": email, "password": DEMO_PASSWORD})
        if status != 200:
            raise RuntimeError(f"login of {email}: {status} {body}")
        return body["access_token"]

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


class Cluster:
    """A throwaway PostgreSQL cluster, owned by this script alone."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="passerelle-faults-pg-")
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")
        subprocess.run(
            self.as_postgres + [f"{PG_BIN}/initdb", "-D", f"{self.dir}/data", "-U", "postgres", "-A", "trust"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.start()
        subprocess.run(
            ["psql", self.url("postgres"), "-q", "-c", "CREATE DATABASE passerelle"], check=True, stdout=subprocess.DEVNULL
        )

    def url(self, database="passerelle"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def ctl(self, *args):
        subprocess.run(self.as_postgres + [f"{PG_BIN}/pg_ctl", "-D", f"{self.dir}/data", *args], check=True, stdout=subprocess.DEVNULL)

    def start(self):
        self.ctl("-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1", "-l", f"{self.dir}/log", "-w", "start")

    def stop(self):
        self.ctl("-m", "fast", "-w", "stop")

    def remove(self):
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def postgres_outage():
    log("(a) PostgreSQL stopped during traffic")
    cluster = Cluster()
    server = None
    try:
        server = Server(cluster.url(), "outage").wait_ready()
        token = server.login(STUDENT)
        samples, stop = [], threading.Event()

        def traffic():
            for _ in range(10_000):
                if stop.is_set():
                    return
                for path in ("/api/v1/me/profile", "/api/v1/offers?limit=5"):
                    status, headers, _, elapsed = request(server.base, "GET", path, token, timeout=15)
                    samples.append((time.monotonic(), status, headers.get("content-type", ""), elapsed))
                time.sleep(0.05)

        workers = [threading.Thread(target=traffic) for _ in range(3)]
        for w in workers:
            w.start()
        time.sleep(1.5)
        cluster.stop()
        stopped_at = time.monotonic()
        log("database stopped")
        time.sleep(8)
        status, headers, body, elapsed = request(server.base, "GET", "/health/ready", timeout=15)
        check(status == 503 and elapsed < 5, f"readiness says 503 while the database is down ({status}, {elapsed:.1f}s)")
        # The outage ends when the restart begins: requests answered while
        # PostgreSQL is starting, before `start` returns, may already succeed.
        restarted_at = time.monotonic()
        cluster.start()
        log("database started again")
        recovered = None
        for _ in range(120):
            status, _, _, _ = request(server.base, "GET", "/api/v1/me/profile", token, timeout=15)
            if status == 200:
                recovered = time.monotonic() - restarted_at
                break
            time.sleep(0.25)
        stop.set()
        for w in workers:
            w.join()
        during = [s for s in samples if stopped_at + 1 <= s[0] - s[3] and s[0] <= restarted_at]
        check(len(during) > 0, f"requests were made while the database was down ({len(during)})")
        bad = [s for s in during if s[1] != 503 or "application/problem+json" not in s[2]]
        check(not bad, f"every request while down is 503 problem+json (others: {sorted({(s[1], s[2]) for s in bad})})")
        slowest = max((s[3] for s in samples), default=0)
        check(slowest < 5, f"no request hung (slowest {slowest:.2f}s)")
        errors = [s for s in samples if s[1] is None or s[1] == 500]
        check(not errors, f"no 500 or dropped connection during the outage ({len(errors)})")
        check(recovered is not None and recovered < 15, f"recovered by itself after the restart ({recovered})")
        status, _, _, _ = request(server.base, "GET", "/health/ready")
        check(status == 200, "ready again")
    finally:
        if server:
            server.stop()
        cluster.remove()


def kill_during_writes(backend):
    log(f"(b) SIGKILL during writes on {backend}")
    pg_name = None
    if backend == "sqlite":
        url = f"sqlite://{WORK}/kill.db"
    else:
        pg_name = f"passerelle_faults_{os.getpid()}_{int(time.time())}"
        subprocess.run(["psql", PG_SERVER, "-q", "-c", f'CREATE DATABASE "{pg_name}"'], check=True, stdout=subprocess.DEVNULL)
        url = PG_SERVER.rsplit("/", 1)[0] + "/" + pg_name
    server = None
    try:
        server = Server(url, f"kill-{backend}").wait_ready()
        staff, student = server.login(STAFF), server.login(STUDENT)
        _, _, me, _ = request(server.base, "GET", "/api/v1/me", staff)
        school = me["school_id"]
        acked_numbers, acked_bios, lock = [], [], threading.Lock()
        header = "student_number,first_name,last_name,email,programme,degree_level,graduation_year\n"

        def importer(worker):
            for i in range(10_000):
                number = f"K{worker}{i:05d}"
                row = f"{number},Amine,Kadiri,{number.lower()}@student.example.org,Fault Tolerance,bac+5,2027\n"
                status, _, _, _ = request(
                    server.base, "POST", f"/api/v1/schools/{school}/roster", staff, header + row, "text/csv", timeout=10
                )
                if status is None:
                    return
                if 200 <= status < 300:
                    with lock:
                        acked_numbers.append(number)

        def profile_writer():
            for i in range(10_000):
                status, headers, profile, _ = request(server.base, "GET", "/api/v1/me/profile", student, timeout=10)
                if status is None:
                    return
                status, _, _, _ = request(
                    server.base, "PATCH", f"/api/v1/students/{profile['id']}", student, {"bio": f"write {i}"},
                    headers={"if-match": headers["etag"]}, timeout=10,
                )
                if status is None:
                    return
                if 200 <= status < 300:
                    acked_bios.append(i)

        workers = [threading.Thread(target=importer, args=(w,)) for w in range(3)]
        workers.append(threading.Thread(target=profile_writer))
        for w in workers:
            w.start()
        time.sleep(3)
        server.process.kill()
        server.process.wait()
        for w in workers:
            w.join(timeout=20)
        server.log_file.close()
        log(f"killed after {len(acked_numbers)} imports and {len(acked_bios)} profile writes acknowledged")
        check(len(acked_numbers) > 0 and len(acked_bios) > 0, "writes were acknowledged before the kill")
        server = Server(url, f"kill-{backend}-restart", demo=False).wait_ready()
        staff, student = server.login(STAFF), server.login(STUDENT)
        present, cursor = set(), None
        for _ in range(1_000):
            path = "/api/v1/students?programme=Fault%20Tolerance&limit=100" + (f"&cursor={cursor}" if cursor else "")
            status, _, body, _ = request(server.base, "GET", path, staff)
            if status != 200:
                raise RuntimeError(f"student list: {status} {body}")
            present.update(item["student_number"] for item in body["items"])
            cursor = body.get("next_cursor")
            if not cursor:
                break
        missing = [number for number in acked_numbers if number not in present]
        check(not missing, f"every acknowledged roster import is there after the restart (missing {missing[:5]})")
        _, _, profile, _ = request(server.base, "GET", "/api/v1/me/profile", student)
        last = acked_bios[-1] if acked_bios else None
        allowed = {f"write {last}", f"write {last + 1}"} if last is not None else set()
        check(profile["bio"] in allowed, f"the profile holds the last acknowledged write ({profile['bio']!r}, last acked {last})")
    finally:
        if server:
            server.stop()
        if pg_name:
            subprocess.run(["psql", PG_SERVER, "-q", "-c", f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'], stdout=subprocess.DEVNULL)


def sigterm_during_traffic():
    log("(c) SIGTERM during traffic")
    server = Server(f"sqlite://{WORK}/term.db", "term").wait_ready()
    staff, student = server.login(STAFF), server.login(STUDENT)
    _, _, me, _ = request(server.base, "GET", "/api/v1/me", staff)
    header = "student_number,first_name,last_name,email,programme,degree_level,graduation_year\n"
    rows = "".join(
        f"T{w}{i:05d},Amine,Kadiri,t{w}{i:05d}@student.example.org,Data Science,bac+5,2027\n"
        for w in range(1) for i in range(50_000)
    )
    results = {}

    finished = {}

    def big_import(worker):
        body = header + rows.replace("T0", f"T{worker}").replace("t0", f"t{worker}")
        results[f"import {worker}"] = request(
            server.base, "POST", f"/api/v1/schools/{me['school_id']}/roster", staff, body, "text/csv", timeout=60
        )
        finished[f"import {worker}"] = time.monotonic()

    def reader(worker):
        results[f"read {worker}"] = request(server.base, "GET", "/api/v1/offers?limit=20", student, timeout=60)

    started = time.monotonic()
    workers = [threading.Thread(target=big_import, args=(w,)) for w in range(2)]
    workers += [threading.Thread(target=reader, args=(w,)) for w in range(4)]
    for w in workers:
        w.start()
    time.sleep(0.15)
    server.process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    for w in workers:
        w.join(timeout=60)
    try:
        code = server.process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        server.process.kill()
        code = None
    server.log_file.close()
    took = time.monotonic() - started
    for name, (status, _, body, elapsed) in sorted(results.items()):
        log(f"  {name}: {status} in {elapsed:.2f}s")
    check(all(r[0] == 200 for r in results.values()), "every in-flight request finished with 200")
    check(
        len(finished) == 2 and all(at > signalled for at in finished.values()),
        "the imports were still in flight at the signal (they finished after it)",
    )
    check(code == 0, f"the process exited 0 (exit {code}, {took:.1f}s after the traffic began)")


def main():
    try:
        postgres_outage()
        kill_during_writes("sqlite")
        kill_during_writes("postgres")
        sigterm_during_traffic()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    if failures:
        log(f"{len(failures)} failed: {failures}")
        sys.exit(1)
    log("all fault tests passed")


if __name__ == "__main__":
    main()
