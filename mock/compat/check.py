"""Checks that the official OpenAI Python SDK parses everything the mock sends.

Run by mock/compat_test.go with OPENAI_BASE_URL (a plain mock) and MOCK_LIMITED_URL (a mock with RPM=1) set.
Prints one "ok ..." line per check; exits non-zero on the first failure.
"""

import os
import sys

import openai

base = os.environ["OPENAI_BASE_URL"]
limited = os.environ["MOCK_LIMITED_URL"]
client = openai.OpenAI(base_url=base, api_key="mock", max_retries=0)
msgs = [{"role": "system", "content": "Be terse."}, {"role": "user", "content": "Why is my app slow?"}]


def ok(cond, what):
    if not cond:
        print("FAIL", what)
        sys.exit(1)
    print("ok", what)


r = client.chat.completions.create(model="gpt-4o-mini", messages=msgs)
ok(r.object == "chat.completion" and r.id.startswith("chatcmpl-"), "chat envelope")
ok(r.choices[0].message.role == "assistant" and r.choices[0].finish_reason == "stop", "chat choice")
u = r.usage
ok(u.total_tokens == u.prompt_tokens + u.completion_tokens and u.prompt_tokens_details.cached_tokens == 0, "chat usage")
plain = r.choices[0].message.content

r = client.chat.completions.create(model="gpt-4o-mini", messages=msgs, max_completion_tokens=3)
ok(r.choices[0].finish_reason == "length" and r.usage.completion_tokens == 3, "max_completion_tokens")

parts, usage, finish, role = [], None, None, None
for chunk in client.chat.completions.create(
    model="gpt-4o-mini", messages=msgs, stream=True, stream_options={"include_usage": True}
):
    if chunk.object != "chat.completion.chunk":
        ok(False, "chunk object")
    if chunk.usage is not None:
        usage = chunk.usage
        ok(chunk.choices == [], "usage chunk has no choices")
        continue
    c = chunk.choices[0]
    role = role or c.delta.role
    parts.append(c.delta.content or "")
    finish = c.finish_reason or finish
ok("".join(parts) == plain and role == "assistant" and finish == "stop", "stream text equals plain answer")
ok(usage is not None and usage.completion_tokens == len([p for p in parts if p]), "stream usage counts the streamed tokens")

e = client.embeddings.create(model="text-embedding-3-small", input=["a cache", "a queue"])  # SDK asks for base64
ok(len(e.data) == 2 and len(e.data[0].embedding) == 1536, "embeddings (base64)")
norm = sum(x * x for x in e.data[0].embedding)
ok(abs(norm - 1) < 1e-4, "embedding is a unit vector")
e = client.embeddings.create(model="text-embedding-3-large", input="x", dimensions=256, encoding_format="float")
ok(len(e.data[0].embedding) == 256 and e.usage.prompt_tokens == 1, "embeddings (float, dimensions)")

models = [m.id for m in client.models.list()]
ok("gpt-4o" in models and "text-embedding-3-small" in models, "models list")

try:
    client.chat.completions.create(model="gpt-9", messages=msgs)
    ok(False, "unknown model raises")
except openai.NotFoundError as err:
    ok(err.status_code == 404 and err.code == "model_not_found", "unknown model raises NotFoundError")

try:
    client.chat.completions.create(model="gpt-4o", messages=[])
    ok(False, "empty messages raise")
except openai.BadRequestError as err:
    ok(err.status_code == 400, "empty messages raise BadRequestError")

lc = openai.OpenAI(base_url=limited, api_key="mock", max_retries=0)
raw = lc.chat.completions.with_raw_response.create(model="gpt-4o", messages=msgs)
ok(raw.headers.get("x-ratelimit-limit-requests") == "1", "rate-limit headers on success")
try:
    lc.chat.completions.create(model="gpt-4o", messages=msgs)
    ok(False, "second request is limited")
except openai.RateLimitError as err:
    ok(err.status_code == 429 and err.code == "rate_limit_exceeded" and err.response.headers.get("retry-after"), "429 RateLimitError")
print("python openai", openai.__version__, "all ok")
