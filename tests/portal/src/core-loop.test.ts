// A partner portal built only on the client generated from the committed
// document, driving the core loop against a server of the demo data set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import createClient from "openapi-fetch";
import type { paths } from "../generated/schema.js";

const baseUrl = process.env.PORTAL_BASE_URL ?? "http://127.0.0.1:8080";
const password = "passerelle-demo-2026";

function client(token?: string) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return createClient<paths>({ baseUrl, headers });
}

async function signIn(email: string): Promise<string> {
  const { data, error } = await client().POST("/api/v1/auth/login", { body: { email, password } });
  assert.equal(error, undefined);
  assert.ok(data);
  return data.access_token;
}

test("the core loop through the generated client", async () => {
  const student = client(await signIn("salma.bennani@ecc.example.org"));
  const recruiter = client(await signIn("nadia.alaoui@axa-go.example.org"));
  const staff = client(await signIn("carrieres@ecc.example.org"));

  // The student's own id, profile and skills.
  const me = await student.GET("/api/v1/me/profile");
  assert.ok(me.data);
  const id = me.data.id;
  assert.ok(me.data.skills.length > 0);

  // Ranked offers with their explanations, then the gap view of the first.
  const ranked = await student.GET("/api/v1/students/{id}/matches", { params: { path: { id }, query: { limit: 5 } } });
  assert.ok(ranked.data);
  const best = ranked.data[0];
  assert.ok(best, "at least one eligible offer");
  assert.ok(best.explanation.met.every((m) => typeof m.skill === "string"));
  const pair = { params: { path: { id, offer_id: best.offer_id } } };
  const live = await student.GET("/api/v1/students/{id}/matches/{offer_id}", pair);
  assert.ok(live.data);
  assert.equal(live.data.score, best.score);

  // Apply with an Idempotency-Key; the replay answers the same.
  const key = randomUUID();
  const applying = {
    params: { path: { id: best.offer_id }, header: { "Idempotency-Key": key } },
    body: { source: "portal-scenario" },
  };
  const applied = await student.POST("/api/v1/offers/{id}/applications", applying);
  assert.equal(applied.response.status, 201);
  assert.ok(applied.data);
  const replay = await student.POST("/api/v1/offers/{id}/applications", applying);
  assert.equal(replay.response.status, 201);
  assert.deepEqual(replay.data, applied.data);
  // The stored explanation and score are the live ones for the same pair.
  assert.deepEqual(applied.data.explanation, live.data.explanation);
  assert.equal(applied.data.score, live.data.score);

  // The recruiter moves it along; the student accepts; the history follows.
  const application = { params: { path: { id: applied.data.id } } };
  for (const to of ["in_review", "interview", "offered"] as const) {
    const moved = await recruiter.POST("/api/v1/applications/{id}/transitions", { ...application, body: { to } });
    assert.equal(moved.data?.status, to);
  }
  const accepted = await student.POST("/api/v1/applications/{id}/transitions", {
    ...application,
    body: { to: "accepted" },
  });
  assert.ok(accepted.data);
  const placementId = accepted.data.placement_id;
  assert.equal(typeof placementId, "number");
  const events = await student.GET("/api/v1/applications/{id}/events", application);
  assert.deepEqual(
    events.data?.map((e) => e.to),
    ["submitted", "in_review", "interview", "offered", "accepted"],
  );
  const followed = await student.GET("/api/v1/applications/{id}", application);
  assert.deepEqual(followed.data?.explanation, live.data.explanation);

  // Terms named (with If-Match), then the three parties sign.
  assert.ok(typeof placementId === "number");
  const placement = { params: { path: { id: placementId } } };
  const read = await staff.GET("/api/v1/placements/{id}", placement);
  const etag = read.response.headers.get("etag");
  assert.ok(etag);
  const patched = await staff.PATCH("/api/v1/placements/{id}", {
    params: { path: { id: placementId }, header: { "If-Match": etag } },
    body: { company_tutor: "Youssef El Idrissi", academic_referent: "Pr. Karim Tazi" },
  });
  assert.equal(patched.response.status, 200);
  for (const party of [student, staff, recruiter]) {
    const signed = await party.POST("/api/v1/placements/{id}/signatures", placement);
    assert.equal(signed.response.status, 200);
  }
  const done = await student.GET("/api/v1/placements/{id}", placement);
  assert.equal(done.data?.status, "signed");

  // A recruiter posts an offer, publishes it and ranks its candidates.
  const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  const posted = await recruiter.POST("/api/v1/offers", {
    body: {
      kind: "internship",
      title: "Stage PFE – Data engineer",
      description: "Pipelines de sinistres.",
      city: "Casablanca",
      work_mode: "hybrid",
      positions: 1,
      min_degree_level: "bac+3",
      languages: ["French"],
      start_date: day(60),
      duration_months: 6,
      deadline: day(30),
      requirements: [{ skill: "python", min_level: 3, weight: 5, required: true }],
    },
  });
  assert.ok(posted.data);
  const offer = { params: { path: { id: posted.data.id } } };
  const published = await recruiter.POST("/api/v1/offers/{id}/publish", offer);
  assert.equal(published.data?.status, "open");
  const candidates = await recruiter.GET("/api/v1/offers/{id}/matches", offer);
  assert.ok(candidates.data && candidates.data.length > 0);
  assert.ok(candidates.data.every((c) => c.eligible));

  // The school imports a CSV roster through the generated client and reads its statistics.
  const schools = await client().GET("/api/v1/schools", { params: { query: { limit: 100 } } });
  const ecc = schools.data?.items.find((s) => s.code === "ECC");
  assert.ok(ecc);
  const csv =
    "student_number,first_name,last_name,email,programme,degree_level,graduation_year\n" +
    "ECC-2027-0100,Ines,Alami,ines.alami@ecc.example.org,Génie informatique,bac+5,2027\n";
  const imported = await staff.POST("/api/v1/schools/{id}/roster", {
    params: { path: { id: ecc.id } },
    body: csv,
    headers: { "content-type": "text/csv" },
    bodySerializer: (body) => (typeof body === "string" ? body : JSON.stringify(body)),
  });
  assert.equal(imported.data?.created, 1);
  const stats = await staff.GET("/api/v1/schools/{id}/placement-stats", {
    params: { path: { id: ecc.id }, query: { cohort: 2026 } },
  });
  assert.ok(stats.data !== undefined && typeof stats.data !== "string", "JSON by default");
  const placed = stats.data.overall.students_placed;
  assert.ok(typeof placed === "number" && placed >= 1, `students placed: ${placed}`);
});
