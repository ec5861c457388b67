"""Webhook delivery against the real binary, every delivery verified by the
`standardwebhooks` package: an implementation of the signature independent of
the service's.

(a) SIGKILL between commit and delivery, on SQLite and on PostgreSQL: events
    committed by a server that delivers nothing are delivered by the next one.
(b) Two server processes on one PostgreSQL database, a receiver refusing the
    first attempt of every event: every event delivered, none lost, repeats
    only as retries with the same webhook-id, never a second success.
(c) Throughput (a backlog of deliveries drained) and latency from commit to
    delivery (p50, p99), beside the receiver's own rate under a plain HTTP
    client; written as a Markdown table to BENCH_OUTPUT when given.

Usage: webhooks.py BINARY PG_SERVER_URL [BENCH_OUTPUT]
Every loop is bounded in count and time.
"""

import datetime
import http.client
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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

BIN, PG_SERVER = sys.argv[1], sys.argv[2]
BENCH_OUTPUT = sys.argv[3] if len(sys.argv) > 3 else None
DEMO_PASSWORD = "passerelle-demo-2026"
ADMIN = "admin@passerelle.example.org"
RECRUITER = "nadia.alaoui@axa-go.example.org"
WORK = tempfile.mkdtemp(prefix="passerelle-webhooks-")
failures = []


def log(message):
    print(f"[webhooks] {message}", flush=True)


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


def request(base, method, path, token=None, body=None, timeout=15):
    """Returns (status or None, parsed body)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout, OSError):
        return None, None
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


def wait_until(condition, seconds, step=0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def commit_time(payload):
    """The payload's `timestamp` (RFC 3339, up to nanoseconds) as Unix seconds."""
    text = payload["timestamp"].rstrip("Z")
    whole, _, fraction = text.partition(".")
    moment = datetime.datetime.fromisoformat(whole).replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp() + (float(f"0.{fraction}") if fraction else 0.0)


class Receiver:
    """A receiver on 127.0.0.1 that verifies each delivery with the secret of
    its path, answers `status` (or 503 to the first attempt of each event when
    `refuse_first`) and keeps what it saw."""

    def __init__(self):
        self.lock = threading.Lock()
        self.secrets = {}
        self.seen = []
        self.first_attempts = set()
        self.refuse_first = False
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                at = time.time()
                headers = {k.lower(): v for k, v in self.headers.items()}
                secret = receiver.secrets.get(self.path)
                payload, error = None, None
                try:
                    payload = Webhook(secret).verify(body, headers) if secret else None
                except WebhookVerificationError as e:
                    error = str(e)
                event_id = headers.get("webhook-id")
                with receiver.lock:
                    status = receiver.status
                    if receiver.refuse_first and event_id not in receiver.first_attempts:
                        receiver.first_attempts.add(event_id)
                        status = 503
                    receiver.seen.append(
                        {"path": self.path, "id": event_id, "payload": payload, "error": error, "body": body, "at": at, "status": status}
                    )
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def path(self, name):
        return f"/hook/{name}"

    def url(self, name):
        return f"http://127.0.0.1:{self.port}{self.path(name)}"

    def received(self, name=None):
        with self.lock:
            return [s for s in self.seen if name is None or s["path"] == self.path(name)]

    def reset(self):
        with self.lock:
            self.seen, self.first_attempts = [], set()

    def stop(self):
        self.server.shutdown()


class Server:
    def __init__(self, database_url, name, demo=True, deliver=True, env=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(WORK, f"{name}.log")
        environment = dict(os.environ)
        environment.update(
            {
                "PASSERELLE_DATABASE_URL": database_url,
                "PASSERELLE_BIND": f"127.0.0.1:{self.port}",
                "PASSERELLE_AUTH__SIGNING_KEYS": "webhooks:a-signing-key-for-the-webhook-tests-only-0123456789",
                "PASSERELLE_AUTH__LOGIN_ATTEMPTS_PER_MINUTE": "10000",
                "PASSERELLE_LIMITS__REQUESTS_PER_MINUTE": "0",
                "PASSERELLE_LOG_FORMAT": "json",
                "PASSERELLE_WEBHOOKS__DELIVER": "true" if deliver else "false",
                "PASSERELLE_WEBHOOKS__ALLOW_LOOPBACK": "true",
                "RUST_LOG": "warn",
            }
        )
        environment.update(env or {})
        self.log_file = open(self.log_path, "a")
        args = [BIN, "serve"] + (["--demo"] if demo else [])
        self.process = subprocess.Popen(args, env=environment, stdout=self.log_file, stderr=subprocess.STDOUT)

    def wait_ready(self, seconds=90):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {self.log_path}")
            status, _ = request(self.base, "GET", "/health/ready", timeout=2)
            if status == 200:
                return self
            time.sleep(0.25)
        raise RuntimeError(f"server not ready within {seconds}s; see {self.log_path}")

    def login(self, email):
        status, body = request(self.base, "POST", "/api/v1/auth/login", body={"email": email, "password": DEMO_PASSWORD})
        if status != 200:
            raise RuntimeError(f"login of {email}: {status} {body}")
        return body["access_token"]

    def subscribe(self, token, receiver, name, events=None):
        body = {"name": name, "url": receiver.url(name)}
        if events is not None:
            body["events"] = events
        status, created = request(self.base, "POST", "/api/v1/webhooks", token, body)
        if status != 201:
            raise RuntimeError(f"subscription {name}: {status} {created}")
        receiver.secrets[receiver.path(name)] = created["secret"]
        return created["id"]

    def publish_offer(self, token, title="Data engineering intern"):
        today = datetime.date.today()
        offer = {
            "kind": "internship", "title": title, "description": "Build data pipelines for claims.",
            "city": "Casablanca", "work_mode": "hybrid",
            "start_date": str(today + datetime.timedelta(days=60)), "duration_months": 6, "positions": 2,
            "min_degree_level": "bac+3", "deadline": str(today + datetime.timedelta(days=30)), "stipend_mad": 4000,
            "languages": ["French"],
            "requirements": [{"skill": "sql", "min_level": 2, "weight": 3, "required": False}],
        }
        status, created = request(self.base, "POST", "/api/v1/offers", token, offer)
        if status != 201:
            raise RuntimeError(f"offer: {status} {created}")
        status, published = request(self.base, "POST", f"/api/v1/offers/{created['id']}/publish", token, {})
        if status != 200:
            raise RuntimeError(f"publish: {status} {published}")
        return created["id"]

    def deliveries(self, token, subscription):
        items, cursor = [], None
        for _ in range(1_000):
            path = f"/api/v1/webhooks/{subscription}/deliveries?limit=100" + (f"&cursor={cursor}" if cursor else "")
            status, page = request(self.base, "GET", path, token)
            if status != 200:
                raise RuntimeError(f"deliveries of {subscription}: {status} {page}")
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items
        return items

    def kill(self):
        self.process.kill()
        self.process.wait()
        self.log_file.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self.log_file.closed:
            self.log_file.close()


class PgDatabase:
    """A uniquely named database on the shared server, dropped at the end."""

    def __init__(self, purpose):
        self.name = f"passerelle_webhooks_{purpose}_{os.getpid()}_{int(time.time())}"
        subprocess.run(["psql", PG_SERVER, "-q", "-c", f'CREATE DATABASE "{self.name}"'], check=True, stdout=subprocess.DEVNULL)
        self.url = PG_SERVER.rsplit("/", 1)[0] + "/" + self.name

    def drop(self):
        subprocess.run(["psql", PG_SERVER, "-q", "-c", f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'], stdout=subprocess.DEVNULL)


def verified_ids(received):
    return {r["id"] for r in received if r["payload"] is not None}


def kill_between_commit_and_delivery(backend, receiver):
    log(f"(a) SIGKILL between commit and delivery on {backend}")
    database = PgDatabase("kill") if backend == "postgres" else None
    url = database.url if database else f"sqlite://{WORK}/kill.db"
    server = None
    try:
        server = Server(url, f"kill-{backend}", deliver=False).wait_ready()
        recruiter = server.login(RECRUITER)
        name = f"hr-{backend}"
        subscription = server.subscribe(recruiter, receiver, name, ["offer.published"])
        for i in range(5):
            server.publish_offer(recruiter, f"Offer before the kill {i}")
        time.sleep(1)
        check(not receiver.received(name), "nothing was delivered by the server that does not deliver")
        server.kill()
        server = Server(url, f"kill-{backend}-restart", demo=False).wait_ready()
        recruiter = server.login(RECRUITER)
        logged = server.deliveries(recruiter, subscription)
        committed = {d["event_id"] for d in logged}
        check(len(committed) == 5, f"the five committed events survived the kill ({len(committed)})")
        wait_until(lambda: committed <= verified_ids(receiver.received(name)), 30)
        seen = receiver.received(name)
        check(committed == verified_ids(seen), f"every committed event was delivered after the restart ({len(verified_ids(seen))}/5)")
        check(all(r["error"] is None for r in seen), f"every delivery verifies with standardwebhooks ({[r['error'] for r in seen if r['error']]})")
        wait_until(lambda: all(d["status"] == "succeeded" for d in server.deliveries(recruiter, subscription)), 10)
        statuses = sorted({d["status"] for d in server.deliveries(recruiter, subscription)})
        check(statuses == ["succeeded"], f"the delivery log says succeeded ({statuses})")
    finally:
        if server:
            server.stop()
        if database:
            database.drop()


def two_processes_one_database(receiver):
    log("(b) two server processes on one PostgreSQL database")
    database = PgDatabase("two")
    servers = []
    try:
        scale = {"PASSERELLE_WEBHOOKS__RETRY_SCALE": "0.01", "PASSERELLE_WEBHOOKS__POLL_INTERVAL_MS": "50"}
        servers.append(Server(database.url, "two-a", env=scale).wait_ready())
        servers.append(Server(database.url, "two-b", demo=False, env=scale).wait_ready())
        tokens = [s.login(RECRUITER) for s in servers]
        name = "hr-two"
        subscription = servers[0].subscribe(tokens[0], receiver, name, ["offer.published"])
        receiver.refuse_first = True
        per_server = 20

        def publish(index):
            for i in range(per_server):
                servers[index].publish_offer(tokens[index], f"Offer {index}-{i}")

        workers = [threading.Thread(target=publish, args=(i,)) for i in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=120)
        total = 2 * per_server

        def all_succeeded():
            logged = servers[1].deliveries(tokens[1], subscription)
            return len(logged) == total and all(d["status"] == "succeeded" for d in logged)

        wait_until(all_succeeded, 60, step=0.25)
        logged = servers[1].deliveries(tokens[1], subscription)
        committed = {d["event_id"] for d in logged}
        seen = receiver.received(name)
        check(len(committed) == total, f"{total} events committed through both processes ({len(committed)})")
        check(all(d["status"] == "succeeded" for d in logged), "every delivery succeeded")
        check(committed == verified_ids(seen), f"every event reached the receiver, none lost ({len(verified_ids(seen))}/{total})")
        check(all(r["error"] is None for r in seen), "every delivery verifies with standardwebhooks")
        by_id = {}
        for r in seen:
            by_id.setdefault(r["id"], []).append(r)
        successes = {i: sum(1 for r in rs if r["status"] == 200) for i, rs in by_id.items()}
        check(all(n == 1 for n in successes.values()), f"no event was delivered twice ({[i for i, n in successes.items() if n != 1][:3]})")
        check(all(len({r["body"] for r in rs}) == 1 for rs in by_id.values()), "a retry carries the same webhook-id and the same body")
        attempts = {d["event_id"]: d["attempts"] for d in logged}
        check(all(attempts[i] == len(rs) for i, rs in by_id.items()), "the log counts every attempt the receiver saw")
        log(f"{len(seen)} requests for {total} events (the first attempt of each refused)")
    finally:
        receiver.refuse_first = False
        for s in servers:
            s.stop()
        database.drop()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def baseline(receiver, requests=1_000, clients=8):
    """The receiver's own rate: `clients` plain keep-alive HTTP clients posting
    a signed body, as many at once as the worker sends."""
    name = "baseline"
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    receiver.secrets[receiver.path(name)] = secret
    body = json.dumps({"id": "msg_baseline", "type": "webhook.ping", "timestamp": "2026-12-02T00:00:00Z", "data": {}}).encode()
    timings = []

    def client(count):
        connection = http.client.HTTPConnection("127.0.0.1", receiver.port, timeout=10)
        for i in range(count):
            stamp = int(time.time())
            signature = Webhook(secret).sign(f"msg_b{i}", datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc), body.decode())
            headers = {"content-type": "application/json", "webhook-id": f"msg_b{i}", "webhook-timestamp": str(stamp), "webhook-signature": signature}
            started = time.perf_counter()
            connection.request("POST", receiver.path(name), body, headers)
            connection.getresponse().read()
            timings.append(time.perf_counter() - started)
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(requests // clients,)) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    elapsed = time.perf_counter() - started
    return len(timings) / elapsed, percentile(timings, 0.5), percentile(timings, 0.99)


def commit_to_delivery(server, receiver, name, offers=100):
    """Seconds from each event's commit (its payload's timestamp) to its
    arrival at the receiver, for offers published one at a time."""
    recruiter = server.login(RECRUITER)
    server.subscribe(recruiter, receiver, name, ["offer.published"])
    for i in range(offers):
        server.publish_offer(recruiter, f"Latency offer {i}")
        time.sleep(0.02)
    wait_until(lambda: len(verified_ids(receiver.received(name))) >= offers, 60)
    seen = [r for r in receiver.received(name) if r["payload"] is not None]
    check(len(seen) == offers, f"{offers} offers delivered for the latency measure ({len(seen)})")
    return [r["at"] - commit_time(r["payload"]) for r in seen]


def throughput_and_latency(receiver):
    log("(c) throughput and latency from commit to delivery (PostgreSQL, one process)")
    database = PgDatabase("bench")
    server = None
    rows = []
    try:
        # Latency: offers published one at a time, each delivered to one
        # subscription; with the default poll interval, then a tenth of it.
        latencies = {}
        for poll_ms, demo in ((500, True), (50, False)):
            env = {"PASSERELLE_WEBHOOKS__POLL_INTERVAL_MS": str(poll_ms)}
            server = Server(database.url, f"bench-latency-{poll_ms}", demo=demo, env=env).wait_ready()
            latencies[poll_ms] = commit_to_delivery(server, receiver, f"latency-{poll_ms}")
            server.stop()

        # Throughput: a backlog made while no worker runs, then drained by one.
        server = Server(database.url, "bench-backlog", demo=False, deliver=False).wait_ready()
        admin, recruiter = server.login(ADMIN), server.login(RECRUITER)
        # Twenty partner portals and twenty more of the organisation (an owner
        # has at most 25), beside the two latency ones: 42 receive each offer.
        added = 20
        for i in range(added):
            server.subscribe(admin, receiver, f"portal-{i}", ["offer.published"])
            server.subscribe(recruiter, receiver, f"hr-bench-{i}", ["offer.published"])
        for i in range(25):
            server.publish_offer(recruiter, f"Backlog offer {i}")
        server.stop()
        subscriptions = 2 * added + len(latencies)
        backlog = 25 * subscriptions
        receiver.reset()
        server = Server(database.url, "bench-drain", demo=False).wait_ready()
        wait_until(lambda: len(receiver.received()) >= backlog, 120, step=0.1)
        drained = receiver.received()
        check(len(drained) == backlog, f"the backlog of {backlog} deliveries drained ({len(drained)})")
        check(all(r["error"] is None and r["payload"] is not None for r in drained), "every drained delivery verifies")
        times = sorted(r["at"] for r in drained)
        rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
        server.stop()
        server = None

        base_rate, base_p50, base_p99 = baseline(receiver)
        rows = [("worker: backlog drained, deliveries/s", f"{rate:.0f}", f"{backlog} deliveries to {subscriptions} subscriptions, batch 32")]
        for poll_ms, measured in latencies.items():
            p50, p99 = percentile(measured, 0.5) * 1000, percentile(measured, 0.99) * 1000
            note = f"{len(measured)} offers published one by one; poll interval {poll_ms} ms"
            rows.append((f"worker: commit to delivery p50 / p99, poll {poll_ms} ms", f"{p50:.0f} / {p99:.0f} ms", note))
        rows += [
            ("baseline: receiver under 8 plain HTTP clients, requests/s", f"{base_rate:.0f}", "keep-alive, signed body, same receiver"),
            ("baseline: one request's round trip p50 / p99", f"{base_p50 * 1000:.1f} / {base_p99 * 1000:.1f} ms", ""),
        ]
    finally:
        if server:
            server.stop()
        database.drop()
    table = "| measure | value | notes |\n| --- | --- | --- |\n" + "".join(f"| {a} | {b} | {c} |\n" for a, b, c in rows)
    print(table, flush=True)
    if BENCH_OUTPUT and rows:
        with open(BENCH_OUTPUT, "w") as out:
            out.write(table)


def main():
    receiver = Receiver()
    try:
        kill_between_commit_and_delivery("sqlite", receiver)
        kill_between_commit_and_delivery("postgres", receiver)
        two_processes_one_database(receiver)
        throughput_and_latency(receiver)
    finally:
        receiver.stop()
        shutil.rmtree(WORK, ignore_errors=True)
    if failures:
        log(f"{len(failures)} failed: {failures}")
        sys.exit(1)
    log("all webhook delivery checks passed")


if __name__ == "__main__":
    main()
