#!/usr/bin/env python3
"""Checks a Switchyard gateway with the official `openai` Python SDK.

Lists models, completes a chat, streams a chat, and receives proper error objects, asserting each.
Exits 0 when every check passes, 1 otherwise.

    python openai_sdk_check.py --base-url http://127.0.0.1:8080 --api-key sk-... [--model auto]
"""
import argparse
import sys

import openai
from openai import OpenAI


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"ok   {what}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True, help="the gateway's URL, with or without /v1")
    parser.add_argument("--api-key", required=True, help="a client key of the gateway")
    parser.add_argument("--model", default="auto", help="the model to ask for (default: auto)")
    parser.add_argument("--expect-text", default=None, help="text the answers must contain")
    args = parser.parse_args()

    base_url = args.base_url.rstrip("/")
    if not base_url.endswith("/v1"):
        base_url += "/v1"
    client = OpenAI(base_url=base_url, api_key=args.api_key, max_retries=0, timeout=30)

    try:
        models = [model.id for model in client.models.list()]
        check(args.model in models, f"models.list() names {args.model!r} (got {models})")

        completion = client.chat.completions.create(
            model=args.model, messages=[{"role": "user", "content": "Say hello in one word."}])
        text = completion.choices[0].message.content or ""
        check(completion.object == "chat.completion", "chat.completions.create() returns a chat.completion")
        check(len(text) > 0, f"the completion has text ({text!r})")
        if args.expect_text:
            check(args.expect_text in text, f"the completion contains {args.expect_text!r}")
        check(completion.usage is not None and completion.usage.total_tokens > 0, "the completion reports usage")
        raw = client.chat.completions.with_raw_response.create(
            model=args.model, messages=[{"role": "user", "content": "Again."}])
        check(raw.headers.get("x-switchyard-request-id"), "the answer carries x-switchyard-request-id")

        pieces, usage, finish = [], None, None
        stream = client.chat.completions.create(
            model=args.model, messages=[{"role": "user", "content": "Count to three."}],
            stream=True, stream_options={"include_usage": True})
        for chunk in stream:
            if chunk.usage is not None:
                usage = chunk.usage
            for choice in chunk.choices:
                pieces.append(choice.delta.content or "")
                finish = choice.finish_reason or finish
        streamed = "".join(pieces)
        check(len(streamed) > 0, f"the stream delivers text ({streamed!r})")
        if args.expect_text:
            check(args.expect_text in streamed, f"the stream contains {args.expect_text!r}")
        check(finish is not None, f"the stream ends with a finish_reason ({finish!r})")
        check(usage is not None and usage.completion_tokens > 0, "the stream's last chunk reports usage")

        try:
            client.chat.completions.create(model="no-such-model-anywhere", messages=[{"role": "user", "content": "hi"}])
            check(False, "an unknown model raises")
        except openai.NotFoundError as error:
            check(error.status_code == 404, "an unknown model raises NotFoundError (404)")
            check(error.code == "model_not_found", f"the error object carries code model_not_found ({error.code!r})")
            check(error.param == "model", f"the error object names param 'model' ({error.param!r})")
            check(isinstance(error.body, dict) and "message" in error.body, "the error object has a message")

        try:
            client.chat.completions.create(model=args.model, messages=[{"role": "user", "content": "hi"}], temperature=7)
            check(False, "an invalid field raises")
        except openai.BadRequestError as error:
            check(error.status_code == 400 and error.param == "temperature", "an invalid field raises BadRequestError naming it")

        bad_key = OpenAI(base_url=base_url, api_key="sk-not-a-key", max_retries=0, timeout=30)
        try:
            bad_key.models.list()
            check(False, "a wrong key raises")
        except openai.AuthenticationError as error:
            check(error.status_code == 401, "a wrong key raises AuthenticationError (401)")
    except AssertionError as failure:
        print(f"FAIL {failure}")
        return 1
    except openai.OpenAIError as error:
        print(f"FAIL unexpected SDK error: {error!r}")
        return 1
    print("all SDK checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
