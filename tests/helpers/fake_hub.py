"""A local HTTP server that speaks the part of the Hugging Face Hub API that
`huggingface_hub` uses to push a folder and to download a snapshot of it.

    with FakeHub() as hub:            # point HF_ENDPOINT at hub.url (the `fake_hub` fixture does)
        HfApi().upload_folder(...)
        hub.repos[("space", "me/tool")].files   # {path: bytes}

Upload: POST /api/repos/create; POST /api/validate-yaml (a README's header); POST /api/{type}s/{repo}/preupload/{rev} (every file
"regular", i.e. inlined in the commit, never LFS or Xet); POST /api/{type}s/{repo}/commit/{rev}
(ndjson: a header line, then one base64 file per line).
Download: GET /api/{type}s/{repo}/revision/{rev} (the commit) and .../tree/{rev} (the files), then
HEAD/GET /{prefix}{repo}/resolve/{rev}/{path} with X-Repo-Commit and ETag headers.
Anything else answers 404 and is kept in `unhandled`, so a test can say what was missing.
"""

import base64
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlparse

import yaml

PREFIXES = {"model": "", "dataset": "datasets/", "space": "spaces/"}
REPO = r"(?P<repo>[\w.-]+/[\w.-]+)"


@dataclass
class Repo:
    kind: str
    repo_id: str
    sdk: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    commits: list[str] = field(default_factory=list)  # summaries, oldest first
    sha: str = "0" * 40


class FakeHub:
    def __init__(self):
        self.repos: dict[tuple[str, str], Repo] = {}
        self.unhandled: list[str] = []
        self._lock = threading.Lock()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hub._route(self, "POST", body)

            def do_GET(self):
                hub._route(self, "GET", b"")

            def do_HEAD(self):
                hub._route(self, "HEAD", b"")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "FakeHub":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- routes ------------------------------------------------------------------

    def _route(self, request, method: str, body: bytes) -> None:
        path = unquote(urlparse(request.path).path)
        routes = [
            ("POST", r"/api/repos/create", self._create),
            ("POST", r"/api/validate-yaml", self._validate_yaml),
            ("POST", rf"/api/(?P<kind>models|datasets|spaces)/{REPO}/preupload/(?P<rev>[^/]+)", self._preupload),
            ("POST", rf"/api/(?P<kind>models|datasets|spaces)/{REPO}/commit/(?P<rev>[^/]+)", self._commit),
            ("GET", rf"/api/(?P<kind>models|datasets|spaces)/{REPO}(/revision/(?P<rev>[^/]+))?", self._info),
            ("GET", rf"/api/(?P<kind>models|datasets|spaces)/{REPO}/tree/(?P<rev>[^/]+)(/(?P<folder>.+))?", self._tree),
            ("GET", r"/api/agent-harnesses", self._harnesses),
            ("GET|HEAD", rf"/(?P<prefix>datasets/|spaces/)?{REPO}/resolve/(?P<rev>[^/]+)/(?P<file>.+)", self._resolve),
        ]
        with self._lock:
            for methods, pattern, handler in routes:
                match = re.fullmatch(pattern, path)
                if method in methods.split("|") and match:
                    return handler(request, method, body, **match.groupdict())
            self.unhandled.append(f"{method} {request.path}")
        _send(request, 404, {"error": f"the fake Hub has no route for {method} {path}"})

    def _create(self, request, method, body):
        data = json.loads(body)
        kind = data.get("type") or "model"
        repo_id = f"{data['organization']}/{data['name']}" if data.get("organization") else f"user/{data['name']}"
        url = f"{self.url}/{PREFIXES[kind]}{repo_id}"
        if (kind, repo_id) in self.repos:
            return _send(request, 409, {"error": "You already created this repo", "url": url})
        self.repos[(kind, repo_id)] = Repo(kind, repo_id, sdk=data.get("sdk"))
        _send(request, 200, {"url": url, "name": repo_id})

    def _validate_yaml(self, request, method, body):
        """A README.md's YAML header (the Space card), checked before the upload."""
        content = json.loads(body)["content"]
        header = re.match(r"---\n(.*?)\n---\n", content, re.DOTALL)
        try:
            yaml.safe_load(header.group(1) if header else "")
        except yaml.YAMLError as e:
            return _send(request, 400, {"errors": [{"message": f"invalid YAML: {e}"}]})
        _send(request, 200, {"warnings": [], "errors": []})

    def _preupload(self, request, method, body, kind, repo, rev):
        if self._repo(request, kind, repo) is None:
            return
        files = json.loads(body)["files"]
        answer = [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False, "oid": None} for f in files]
        _send(request, 200, {"files": answer})

    def _commit(self, request, method, body, kind, repo, rev):
        target = self._repo(request, kind, repo)
        if target is None:
            return
        lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        for line in lines:
            if line["key"] == "file":
                target.files[line["value"]["path"]] = base64.b64decode(line["value"]["content"])
            elif line["key"] != "header":
                return _send(request, 400, {"error": f"the fake Hub takes inline files only, not {line['key']}"})
        target.commits.append(lines[0]["value"]["summary"])
        target.sha = hashlib.sha1(repr(sorted(target.files.items())).encode()).hexdigest()
        commit_url = f"{self.url}/{PREFIXES[target.kind]}{target.repo_id}/commit/{target.sha}"
        _send(request, 200, {"commitUrl": commit_url, "commitOid": target.sha, "pullRequestUrl": None})

    def _info(self, request, method, body, kind, repo, rev=None):
        target = self._repo(request, kind, repo)
        if target is None:
            return
        info = {
            "id": target.repo_id,
            "author": target.repo_id.split("/")[0],
            "sha": target.sha,
            "private": False,
            "tags": [],
            "siblings": [{"rfilename": name} for name in sorted(target.files)],
        }
        if target.sdk:
            info["sdk"] = target.sdk
        _send(request, 200, info)

    def _tree(self, request, method, body, kind, repo, rev, folder=None):
        """Every file and folder (huggingface_hub asks for the whole tree, recursively)."""
        target = self._repo(request, kind, repo)
        if target is None:
            return
        entries, folders = [], set()
        for name, content in sorted(target.files.items()):
            parts = name.split("/")
            folders.update("/".join(parts[:depth]) for depth in range(1, len(parts)))
            oid = hashlib.sha1(content).hexdigest()
            entries.append({"type": "file", "path": name, "size": len(content), "oid": oid})
        entries += [{"type": "directory", "path": name, "oid": "0" * 40} for name in sorted(folders)]
        prefix = f"{folder}/" if folder else ""
        _send(request, 200, [entry for entry in entries if entry["path"].startswith(prefix)])

    def _harnesses(self, request, method, body):
        """The registry huggingface_hub reads to name the coding agent in its user agent: empty."""
        _send(request, 200, {"standardEnvVars": [], "harnesses": {}})

    def _resolve(self, request, method, body, repo, rev, file, prefix=None):
        kind = {"datasets/": "dataset", "spaces/": "space"}.get(prefix or "", "model")
        target = self._repo(request, kind + "s", repo)
        if target is None:
            return
        if file not in target.files:
            return _send(request, 404, {"error": "Entry not found"}, {"X-Error-Code": "EntryNotFound"})
        content = target.files[file]
        headers = {"X-Repo-Commit": target.sha, "ETag": f'"{hashlib.sha1(content).hexdigest()}"'}
        _send_bytes(request, content, headers, head=method == "HEAD")

    def _repo(self, request, kind: str, repo_id: str) -> Repo | None:
        found = self.repos.get((kind.removesuffix("s"), repo_id))
        if found is None:
            _send(request, 404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound"})
        return found


def _send(request, status: int, data: dict | list, headers: dict | None = None) -> None:
    body = json.dumps(data).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        request.send_header(key, value)
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)


def _send_bytes(request, content: bytes, headers: dict, head: bool) -> None:
    request.send_response(200)
    request.send_header("Content-Type", "application/octet-stream")
    for key, value in headers.items():
        request.send_header(key, value)
    request.send_header("Content-Length", str(len(content)))
    request.end_headers()
    if not head:
        request.wfile.write(content)
