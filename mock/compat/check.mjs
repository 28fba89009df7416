// Checks that the official OpenAI Node SDK parses everything the mock sends.
// Run by mock/compat_test.go with OPENAI_BASE_URL (a plain mock) and MOCK_LIMITED_URL (a mock with RPM=1) set.
// Prints one "ok ..." line per check; exits non-zero on the first failure.
import { readFileSync } from "node:fs";
import OpenAI from "openai";

const client = new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: "mock", maxRetries: 0 });
const msgs = [
  { role: "system", content: "Be terse." },
  { role: "user", content: "Why is my app slow?" },
];

function ok(cond, what) {
  if (!cond) {
    console.log("FAIL", what);
    process.exit(1);
  }
  console.log("ok", what);
}

let r = await client.chat.completions.create({ model: "gpt-4o-mini", messages: msgs });
ok(r.object === "chat.completion" && r.id.startsWith("chatcmpl-"), "chat envelope");
ok(r.choices[0].message.role === "assistant" && r.choices[0].finish_reason === "stop", "chat choice");
const u = r.usage;
ok(u.total_tokens === u.prompt_tokens + u.completion_tokens && u.prompt_tokens_details.cached_tokens === 0, "chat usage");
const plain = r.choices[0].message.content;

r = await client.chat.completions.create({ model: "gpt-4o-mini", messages: msgs, max_completion_tokens: 3 });
ok(r.choices[0].finish_reason === "length" && r.usage.completion_tokens === 3, "max_completion_tokens");

const parts = [];
let usage = null, finish = null, role = null;
const stream = await client.chat.completions.create({
  model: "gpt-4o-mini", messages: msgs, stream: true, stream_options: { include_usage: true },
});
for await (const chunk of stream) {
  if (chunk.object !== "chat.completion.chunk") ok(false, "chunk object");
  if (chunk.usage) {
    usage = chunk.usage;
    ok(chunk.choices.length === 0, "usage chunk has no choices");
    continue;
  }
  const c = chunk.choices[0];
  role = role || c.delta.role;
  parts.push(c.delta.content || "");
  finish = c.finish_reason || finish;
}
ok(parts.join("") === plain && role === "assistant" && finish === "stop", "stream text equals plain answer");
ok(usage && usage.completion_tokens === parts.filter((p) => p).length, "stream usage counts the streamed tokens");

let e = await client.embeddings.create({ model: "text-embedding-3-small", input: ["a cache", "a queue"] });
ok(e.data.length === 2 && e.data[0].embedding.length === 1536, "embeddings (SDK default encoding)");
const norm = e.data[0].embedding.reduce((s, x) => s + x * x, 0);
ok(Math.abs(norm - 1) < 1e-4, "embedding is a unit vector");
e = await client.embeddings.create({ model: "text-embedding-3-large", input: "x", dimensions: 256, encoding_format: "float" });
ok(e.data[0].embedding.length === 256 && e.usage.prompt_tokens === 1, "embeddings (float, dimensions)");

const models = [];
for await (const m of client.models.list()) models.push(m.id);
ok(models.includes("gpt-4o") && models.includes("text-embedding-3-small"), "models list");

try {
  await client.chat.completions.create({ model: "gpt-9", messages: msgs });
  ok(false, "unknown model raises");
} catch (err) {
  ok(err instanceof OpenAI.NotFoundError && err.status === 404 && err.code === "model_not_found", "unknown model raises NotFoundError");
}
try {
  await client.chat.completions.create({ model: "gpt-4o", messages: [] });
  ok(false, "empty messages raise");
} catch (err) {
  ok(err instanceof OpenAI.BadRequestError && err.status === 400, "empty messages raise BadRequestError");
}

const lc = new OpenAI({ baseURL: process.env.MOCK_LIMITED_URL, apiKey: "mock", maxRetries: 0 });
const raw = await lc.chat.completions.create({ model: "gpt-4o", messages: msgs }).withResponse();
ok(raw.response.headers.get("x-ratelimit-limit-requests") === "1", "rate-limit headers on success");
try {
  await lc.chat.completions.create({ model: "gpt-4o", messages: msgs });
  ok(false, "second request is limited");
} catch (err) {
  ok(err instanceof OpenAI.RateLimitError && err.status === 429 && err.code === "rate_limit_exceeded" && err.headers.get("retry-after"), "429 RateLimitError");
}
const pkg = JSON.parse(readFileSync(new URL("./node_modules/openai/package.json", import.meta.url)));
console.log("node openai", pkg.version, "all ok");
