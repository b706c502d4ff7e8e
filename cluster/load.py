"""Bounded load on the cluster through HAProxy, as a careful frontend sends
it: a few threads of logins, reads, bookings and cancellations, each request
retried on a connection error or a 5xx (bookings with their Idempotency-Key,
so a retry never books twice). Every answer is tallied by phase."""

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

RETRIES = 8
RETRY_PAUSE = 0.4


def call(method: str, url: str, body=None, token=None, key=None) -> tuple[int | None, dict]:
    """(status, JSON body); status None when no HTTP answer came at all."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (the cluster on loopback)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if key:
        request.add_header("Idempotency-Key", key)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 (the cluster on loopback)
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except OSError:
        return None, {}
    try:
        return status, json.loads(raw or b"{}")
    except json.JSONDecodeError:
        return status, {"raw": raw[:200].decode(errors="replace")}


@dataclass
class Tally:
    requests: int = 0
    retried: int = 0  # requests that needed more than one try
    failed: int = 0  # requests with no answer below 500 after every retry
    statuses: Counter = field(default_factory=Counter)  # every try's status (None: no answer)


class Load:
    def __init__(self, base: str, staff: str, patient: tuple[str, str], client_id: int, doctor_id: int):
        self.base, self.staff, self.patient = base, staff, patient
        self.client_id, self.doctor_id = client_id, doctor_id
        self.phase = "steady"
        self.tallies: dict[str, Tally] = defaultdict(Tally)
        self.booked: dict[str, int] = {}  # Idempotency-Key → appointment id, for every 201
        self._cancellable: list[int] = []
        self._slot = iter(range(1_000_000))
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(3)]
        self._day0 = datetime.now().astimezone().replace(
            hour=0, minute=0, second=0, microsecond=0
        ) + timedelta(days=400)

    def request(self, method: str, path: str, body=None, token=None, key=None) -> tuple[int | None, dict]:
        phase, tries = self.phase, 0
        while True:
            tries += 1
            status, answer = call(method, f"{self.base}{path}", body, token, key)
            with self._lock:
                self.tallies[phase].statuses[status] += 1
            if status is not None and status < 500:
                break
            if tries == RETRIES:
                break
            time.sleep(RETRY_PAUSE)
        with self._lock:
            tally = self.tallies[phase]
            tally.requests += 1
            tally.retried += tries > 1
            tally.failed += status is None or status >= 500
        return status, answer

    def _run(self, n: int) -> None:
        steps = [self._login, self._read, self._book, self._cancel]
        i = n
        while not self._stop.is_set():
            steps[i % len(steps)]()
            i += 1

    def _login(self):
        username, password = self.patient
        self.request("POST", "/api/v1/auth/login", {"username": username, "password": password})

    def _read(self):
        self.request("GET", "/api/v1/appointments/?page_size=20", token=self.staff)

    def _book(self):
        with self._lock:
            n = next(self._slot)
        starts = self._day0 + timedelta(days=n // 80, minutes=15 * (n % 80))
        key = str(uuid.uuid4())
        body = {
            "client": self.client_id,
            "doctor": self.doctor_id,
            "starts_at": starts.isoformat(),
            "duration_minutes": 15,
        }
        status, answer = self.request("POST", "/api/v1/appointments/", body, token=self.staff, key=key)
        if status == 201:
            with self._lock:
                self.booked[key] = answer["id"]
                self._cancellable.append(answer["id"])

    def _cancel(self):
        with self._lock:
            target = self._cancellable.pop(0) if self._cancellable else None
        if target is not None:
            self.request("POST", f"/api/v1/appointments/{target}/cancel", {}, token=self.staff)

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)
