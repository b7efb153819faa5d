"""The one door to OpenAI-compatible chat-completions servers (OpenAI, Ollama, vLLM, …).

Every request to a model goes through `chat_completion`, so there is one place that bounds
the time a request may take and one place that turns failures into `LlmError`.
"""

import json
import time

import requests

# Seconds to open the connection; a server that can't be reached fails fast.
CONNECT_TIMEOUT = 3.0
# A chat completion is a few kilobytes; anything far bigger is not an answer we can speak.
MAX_BODY_BYTES = 1_000_000


class LlmError(Exception):
    """The model server gave no usable answer. The message is safe to log: it never holds the key."""


def chat_completion(base_url: str, api_key: str, payload: dict, timeout: float) -> str:
    """POST `payload` to `<base_url>/chat/completions`; the text of the first choice.

    `timeout` bounds the whole exchange (connecting, waiting, reading), not just each read.
    """
    url = base_url.rstrip("/") + "/chat/completions"
    headers = {"Accept": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    deadline = time.monotonic() + timeout
    try:
        with requests.post(
            url, json=payload, headers=headers, timeout=(min(CONNECT_TIMEOUT, timeout), timeout), stream=True
        ) as response:
            body = _read_before(response, deadline, timeout)
            status = response.status_code
    except requests.Timeout:
        raise LlmError(f"no answer within {timeout:g} s") from None
    except requests.RequestException as exc:
        # The exception's text names the URL and the cause, never the request headers.
        raise LlmError(f"the server could not be reached ({type(exc).__name__})") from None
    if status != 200:
        raise LlmError(f"HTTP {status}{_server_message(body, api_key)}")
    try:
        data = json.loads(body)
    except ValueError:
        raise LlmError("the answer is not JSON") from None
    return _first_choice_text(data)


def _read_before(response: requests.Response, deadline: float, timeout: float) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_content(chunk_size=16384):
        chunks.append(chunk)
        size += len(chunk)
        if time.monotonic() > deadline:
            raise LlmError(f"no complete answer within {timeout:g} s")
        if size > MAX_BODY_BYTES:
            raise LlmError("the answer is too large")
    return b"".join(chunks)


def _server_message(body: bytes, api_key: str) -> str:
    """The error message an OpenAI-style server put in its body, shortened, without the key."""
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return ""
    message = error.get("message") if isinstance(error, dict) else error
    if not isinstance(message, str) or not message.strip():
        return ""
    if api_key:
        message = message.replace(api_key, "••••")
    return f": {message.strip()[:200]}"


def _first_choice_text(data) -> str:
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise LlmError("the answer has no choices[0].message.content") from None
    if isinstance(content, list):  # content parts, as some servers send them
        content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    if not isinstance(content, str) or not content.strip():
        raise LlmError("the answer is empty")
    return content
