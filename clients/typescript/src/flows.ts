/**
 * A frontend's view of the API, compiled with `tsc --strict` against types
 * generated from the served schema (`src/schema.d.ts`), then run against a
 * live server. If the schema stops describing what the server does (a field
 * no longer required, an id typed as a string, an error code missing from an
 * operation), this program stops compiling or fails at run time.
 *
 * Environment: BASE_URL, STAFF_USERNAME, STAFF_PASSWORD, DOCTOR_ID, DAY
 * (a YYYY-MM-DD inside the doctor's working hours, more than a day ahead).
 */
import assert from "node:assert/strict";
import { createHmac, randomUUID } from "node:crypto";
import createClient, { type Middleware } from "openapi-fetch";

import type { components, paths } from "./schema.js";

type Appointment = components["schemas"]["Appointment"];
type Status = Appointment["status"];

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const baseUrl = required("BASE_URL");
const doctorId = Number(required("DOCTOR_ID"));
const day = required("DAY");

/** A client that sends `token` as the bearer on every call, as frontends do. */
function api(token?: string) {
  const client = createClient<paths>({ baseUrl });
  if (token) {
    const bearer: Middleware = {
      onRequest({ request }) {
        request.headers.set("Authorization", `Bearer ${token}`);
        return request;
      },
    };
    client.use(bearer);
  }
  return client;
}

async function login(username: string, password: string) {
  const { data, error, response } = await api().POST("/api/v1/auth/login/", {
    body: { username, password },
  });
  assert.equal(response.status, 200, `login ${username}: ${JSON.stringify(error)}`);
  // A user with a second factor gets `{mfa_required, mfa_token}` instead (auth/mfa/verify).
  assert.ok(data && "access_token" in data, "no second factor is set up for the flow's users");
  assert.equal(data.token_type, "bearer");
  return data;
}

async function freeSlots(token: string, duration: number) {
  const { data, response } = await api(token).GET("/api/v1/doctors/{doctor_id}/availability/", {
    params: { path: { doctor_id: doctorId }, query: { date: day, duration } },
  });
  assert.equal(response.status, 200);
  assert.ok(data);
  assert.equal(data.doctor, doctorId);
  assert.ok(data.slots.length >= 3, "the doctor should have free slots on DAY");
  return data.slots;
}

async function act(token: string, id: number, verb: "confirm" | "check-in" | "complete" | "cancel") {
  const client = api(token);
  const params = { params: { path: { id } } };
  const answer =
    verb === "confirm"
      ? await client.POST("/api/v1/appointments/{id}/confirm/", params)
      : verb === "check-in"
        ? await client.POST("/api/v1/appointments/{id}/check-in/", params)
        : verb === "complete"
          ? await client.POST("/api/v1/appointments/{id}/complete/", params)
          : await client.POST("/api/v1/appointments/{id}/cancel/", params);
  assert.equal(answer.response.status, 200, `${verb}: ${JSON.stringify(answer.error)}`);
  assert.ok(answer.data);
  return answer.data.status;
}

/** Register, book idempotently, cancel, refresh, log out. Returns the patient's client id. */
async function patientFlow(): Promise<number> {
  const suffix = randomUUID().slice(0, 8);
  const password = `Tc-${randomUUID()}`;
  const registered = await api().POST("/api/v1/auth/register/", {
    body: { email: `pat-${suffix}@example.test`, username: `pat${suffix}`, password, full_name: "Ada Client" },
  });
  assert.equal(registered.response.status, 201, JSON.stringify(registered.error));
  assert.ok(registered.data);
  const clientId: number | null = registered.data.user.client;
  assert.equal(typeof clientId, "number", "registration names the new patient's client record");

  const tokens = await login(`pat${suffix}`, password);
  const me = await api(tokens.access_token).GET("/api/v1/auth/me/");
  assert.ok(me.data);
  assert.equal(me.data.role, "patient");
  assert.equal(me.data.client, clientId);

  const [slot] = await freeSlots(tokens.access_token, 30);
  assert.ok(slot);
  const key = randomUUID();
  const booking = { client: clientId as number, doctor: doctorId, starts_at: slot.starts_at, duration_minutes: 30 };
  const patient = api(tokens.access_token);
  const first = await patient.POST("/api/v1/appointments/", {
    params: { header: { "Idempotency-Key": key } },
    body: booking,
  });
  assert.equal(first.response.status, 201, JSON.stringify(first.error));
  const replay = await patient.POST("/api/v1/appointments/", {
    params: { header: { "Idempotency-Key": key } },
    body: booking,
  });
  assert.equal(replay.response.status, 201);
  assert.ok(first.data && replay.data);
  assert.equal(replay.data.id, first.data.id, "a replay returns the first answer");
  const conflict = await patient.POST("/api/v1/appointments/", {
    params: { header: { "Idempotency-Key": key } },
    body: { ...booking, duration_minutes: 45 },
  });
  assert.equal(conflict.response.status, 409);
  assert.equal(conflict.error?.code, "idempotency_conflict");

  const status: Status = await act(tokens.access_token, first.data.id, "cancel");
  assert.equal(status, "cancelled");

  const refreshed = await api().POST("/api/v1/auth/refresh/", { body: { refresh_token: tokens.refresh_token } });
  assert.equal(refreshed.response.status, 200);
  assert.ok(refreshed.data);
  const reused = await api().POST("/api/v1/auth/refresh/", { body: { refresh_token: tokens.refresh_token } });
  assert.equal(reused.response.status, 401, "a rotated refresh token is refused");

  const fresh = await login(`pat${suffix}`, password);
  const out = await api(fresh.access_token).POST("/api/v1/auth/logout/", {
    body: { refresh_token: fresh.refresh_token },
  });
  assert.equal(out.response.status, 204);
  const after = await api(fresh.access_token).GET("/api/v1/auth/me/");
  assert.equal(after.response.status, 401);
  assert.ok(after.error);
  assert.ok(["not_authenticated", "token_not_valid"].includes(after.error.code));
  return clientId as number;
}

/** The front desk books, reschedules, confirms, checks in and completes; reads the calendar. */
async function frontDeskFlow(clientId: number) {
  const { access_token: token } = await login(required("STAFF_USERNAME"), required("STAFF_PASSWORD"));
  const desk = api(token);
  const slots = await freeSlots(token, 30);
  const [first, , later] = slots;
  assert.ok(first && later);

  const booked = await desk.POST("/api/v1/appointments/", {
    params: { header: { "Idempotency-Key": randomUUID() } },
    body: { client: clientId, doctor: doctorId, starts_at: first.starts_at, duration_minutes: 30, reason: "Check-up" },
  });
  assert.equal(booked.response.status, 201, JSON.stringify(booked.error));
  assert.ok(booked.data);
  const id = booked.data.id;

  const taken = await desk.POST("/api/v1/appointments/", {
    body: { client: clientId, doctor: doctorId, starts_at: first.starts_at, duration_minutes: 30 },
  });
  assert.equal(taken.response.status, 409);
  assert.ok(taken.error && ["slot_taken", "client_busy"].includes(taken.error.code));

  const moved = await desk.PATCH("/api/v1/appointments/{id}/", {
    params: { path: { id } },
    body: { starts_at: later.starts_at },
  });
  assert.equal(moved.response.status, 200, JSON.stringify(moved.error));
  assert.ok(moved.data);
  assert.equal(Date.parse(moved.data.starts_at), Date.parse(later.starts_at));

  for (const [verb, expected] of [
    ["confirm", "confirmed"],
    ["check-in", "checked_in"],
    ["complete", "completed"],
  ] as const) {
    assert.equal(await act(token, id, verb), expected);
  }

  const calendar = await desk.GET("/api/v1/appointments/calendar.ics/", {
    params: { query: { doctor: doctorId } },
    headers: { Accept: "text/calendar" },
    parseAs: "text",
  });
  assert.equal(calendar.response.status, 200);
  assert.match(calendar.response.headers.get("content-type") ?? "", /^text\/calendar/);
  assert.ok(typeof calendar.data === "string" && calendar.data.startsWith("BEGIN:VCALENDAR"));
}

/** What an authenticator app shows for a base32 `secret`, `stepsAhead` 30 s steps from now (RFC 6238). */
function totp(secret: string, stepsAhead = 0): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bits = [...secret.replace(/=+$/, "")].map((c) => alphabet.indexOf(c).toString(2).padStart(5, "0")).join("");
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000) + stepsAhead));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac.readUInt8(mac.length - 1) & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/** A user sets up an authenticator app, then signs in in two steps. */
async function secondFactorFlow() {
  const suffix = randomUUID().slice(0, 8);
  const password = `Tc-${randomUUID()}`;
  const username = `mfa${suffix}`;
  const registered = await api().POST("/api/v1/auth/register/", {
    body: { email: `mfa-${suffix}@example.test`, username, password },
  });
  assert.equal(registered.response.status, 201, JSON.stringify(registered.error));
  const me = api((await login(username, password)).access_token);

  const started = await me.POST("/api/v1/auth/mfa/totp/");
  assert.equal(started.response.status, 201);
  assert.ok(started.data);
  const secret: string = started.data.secret;
  assert.match(started.data.otpauth_uri, /^otpauth:\/\/totp\//);
  const confirmed = await me.POST("/api/v1/auth/mfa/totp/confirm/", { body: { code: totp(secret) } });
  assert.equal(confirmed.response.status, 200, JSON.stringify(confirmed.error));
  const recoveryCodes: string[] = confirmed.data?.recovery_codes ?? [];
  assert.equal(recoveryCodes.length, 10);
  const status = await me.GET("/api/v1/auth/mfa/");
  assert.equal(status.data?.totp, true);

  const first = await api().POST("/api/v1/auth/login/", { body: { username, password } });
  assert.equal(first.response.status, 200);
  assert.ok(first.data && "mfa_required" in first.data, "a password alone gives no tokens now");
  const mfaToken: string = first.data.mfa_token;
  assert.deepEqual(first.data.methods, ["totp", "recovery_code"]);
  const wrong = await api().POST("/api/v1/auth/mfa/verify/", { body: { mfa_token: mfaToken, code: "12345x" } });
  assert.equal(wrong.response.status, 401);
  assert.equal(wrong.error?.code, "invalid_mfa_code");
  const verified = await api().POST("/api/v1/auth/mfa/verify/", {
    body: { mfa_token: mfaToken, code: totp(secret, 1) }, // the confirmation spent this step's code
  });
  assert.equal(verified.response.status, 200, JSON.stringify(verified.error));
  assert.ok(verified.data);
  const again = await api().POST("/api/v1/auth/mfa/verify/", {
    body: { mfa_token: mfaToken, code: recoveryCodes[0] ?? "" },
  });
  assert.equal(again.error?.code, "mfa_token_expired", "an mfa_token signs in once");
  const whoami = await api(verified.data.access_token).GET("/api/v1/auth/me/");
  assert.equal(whoami.data?.username, username);
}

const clientId = await patientFlow();
await frontDeskFlow(clientId);
await secondFactorFlow();
console.log("typescript client: patient, front-desk and second-factor flows passed");
