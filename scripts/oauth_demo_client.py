#!/usr/bin/env python3
"""A mobile app in 80 lines: the OAuth 2.0 authorization code flow with PKCE against a
running `make demo`, then the diary week through the API.

    python scripts/oauth_demo_client.py [--server http://127.0.0.1:8000] [--scope "diary marks"]

It prints the authorize URL: open it in a browser, sign in (e.g. as `parent`), press
«Разрешить». The browser is sent to http://127.0.0.1:8765/callback, where this script
listens, takes the code, exchanges it with the PKCE verifier at /oauth/token/ and prints the
diary week of the first child. Standard library and requests only."""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.server
import json
import secrets
import sys
import urllib.parse

import requests

CLIENT_ID = "shkala-mobile-demo"  # seeded by `make demo` (shkola/api/demo.py)
REDIRECT_URI = "http://127.0.0.1:8765/callback"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)[:96]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def wait_for_code(state: str) -> str:
    """Serve one request on 127.0.0.1:8765 and return the code it carries."""
    found: dict[str, str] = {}

    class Callback(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            ok = query.get("state") == [state] and "code" in query
            if ok:
                found["code"] = query["code"][0]
            else:
                found["error"] = query.get("error", ["wrong state"])[0]
            text = "Готово, вернитесь в терминал." if ok else "Доступ не выдан: " + found["error"]
            self.send_response(200 if ok else 400)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.end_headers()
            self.wfile.write(text.encode())

        def log_message(self, *args: object) -> None:
            pass

    with http.server.HTTPServer(("127.0.0.1", 8765), Callback) as server:
        while not found:
            server.handle_request()
    if "code" not in found:
        sys.exit(f"Приложению отказано: {found['error']}")
    return found["code"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="http://127.0.0.1:8000")
    parser.add_argument("--scope", default="diary marks homework")
    args = parser.parse_args()
    server = args.server.rstrip("/")
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "scope": args.scope,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    print("Откройте в браузере и нажмите «Разрешить»:\n")
    print(f"  {server}/oauth/authorize/?{query}\n")
    code = wait_for_code(state)
    token = requests.post(
        f"{server}/oauth/token/",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": CLIENT_ID,
            "code_verifier": verifier,
        },
        timeout=30,
    )
    token.raise_for_status()
    access = token.json()["access_token"]
    headers = {"Authorization": f"Bearer {access}"}
    me = requests.get(f"{server}/api/v1/me", headers=headers, timeout=30).json()
    print(f"Токен получен: {me['name']}, разрешения: {', '.join(me['scopes'])}")
    if not me["students"]:
        sys.exit("Дневников нет: войдите как ученик или родитель.")
    student = me["students"][0]
    week = requests.get(
        f"{server}/api/v1/students/{student['id']}/diary", headers=headers, timeout=30
    )
    if week.status_code != 200:
        sys.exit(f"{week.status_code}: {week.json()['detail']}")
    data = week.json()
    print(
        f"\nДневник: {student['name']}, {student['class_name']}, {data['monday']} — {data['sunday']}"
    )
    for day in data["days"]:
        print(f"\n{day['date']}" + (f" ({day['holiday']})" if day["holiday"] else ""))
        for lesson in day["lessons"]:
            marks = " ".join(m["value"] for m in lesson["marks"])
            line = f"  {lesson['number']}. {lesson['subject']}"
            print(
                line
                + (f" — {marks}" if marks else "")
                + (f"  [{lesson['attendance']}]" if lesson["attendance"] else "")
            )
    if "--json" in sys.argv:
        print(json.dumps(data, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
