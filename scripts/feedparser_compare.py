#!/usr/bin/env python3
"""Measure how closely `syndic parse --format json` agrees with Python feedparser.

Two modes (see scripts/README.md):

  suite DIR   every feed document under DIR (e.g. a checkout of feedparser's test
              suite): field-by-field comparison with feedparser, plus evaluation of
              each file's `Expect:` expression against a feedparser-like dict built
              from syndic's JSON, where that expression only touches keys syndic has.
  corpus DIR  real-world feeds (DIR/MANIFEST.tsv optional): entry counts, and per entry
              (matched by position) title, link, published, updated.

Requires python3 and feedparser; everything else is stdlib.
This file is measurement tooling only; nothing here is shipped.
"""

import argparse
import ast
import calendar
import codecs
import collections
import concurrent.futures
import datetime
import html
import html.parser
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import warnings

try:
    import feedparser
    from feedparser.util import FeedParserDict
except ImportError:  # pragma: no cover - reported to the user
    sys.exit("feedparser is required: pip install feedparser")

warnings.simplefilter("ignore")

FEED_EXTS = (".xml", ".rdf", ".rss", ".atom", ".json", ".feed")

# feedparser `version` -> syndic `format`
VERSION_TO_FORMAT = {
    "rss090": "rss0.9x",
    "rss091n": "rss0.9x",
    "rss091u": "rss0.9x",
    "rss092": "rss0.9x",
    "rss093": "rss0.9x",
    "rss094": "rss0.9x",
    "rss": None,  # feedparser's "RSS of unknown version" (<rss> without version): not compared
    "rss20": "rss2.0",
    "rss10": "rss1.0",
    "atom03": "atom0.3",
    "atom10": "atom1.0",
    "atom": None,  # "Atom of unknown version": not compared
    "json1": "jsonfeed1.0",
    "json11": "jsonfeed1.1",
}
FORMAT_TO_VERSION = {
    "rss2.0": "rss20",
    "rss1.0": "rss10",
    "atom1.0": "atom10",
    "atom0.3": "atom03",
    "jsonfeed1.0": "json1",
    "jsonfeed1.1": "json11",
}

# Encodings that a WHATWG decoder (encoding_rs) treats as the same decoder.
ENCODING_GROUPS = [
    {"windows-1252", "iso-8859-1", "latin-1", "us-ascii", "ascii", "cp1252"},
    {"gbk", "gb2312", "gb18030"},
    {"utf-16", "utf-16le", "utf-16be"},
    {"utf-32", "utf-32le", "utf-32be"},
    {"shift_jis", "cp932", "windows-31j", "sjis"},
    {"euc-kr", "cp949", "windows-949"},
    {"iso-8859-9", "windows-1254", "cp1254"},
    {"iso-8859-11", "windows-874", "tis-620", "cp874"},
    {"big5", "big5hkscs", "big5-hkscs", "cp950"},
]

# ------------------------------------------------------------------ normalizing

TAG_RE = re.compile(r"<[^>]*>")
# Inline elements do not separate words ("ft<sup>2</sup>", "<i>ONPC</i>: les"): their
# tags are removed without leaving a space; every other tag counts as a word break.
INLINE_TAG_RE = re.compile(
    r"</?(a|abbr|b|bdi|bdo|cite|code|data|dfn|em|font|i|kbd|mark|q|s|samp|small|span|"
    r"strike|strong|sub|sup|time|tt|u|var)\b[^>]*>",
    re.I,
)
SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
WS_RE = re.compile(r"\s+")


def visible_text(value):
    """Strip tags, decode entities, collapse whitespace. None/'' -> None."""
    if value is None:
        return None
    s = SCRIPT_RE.sub(" ", str(value))
    s = INLINE_TAG_RE.sub("", s)
    s = TAG_RE.sub(" ", s)
    s = html.unescape(s)
    s = WS_RE.sub(" ", s).strip()
    return s or None


def plain_title(value):
    """Titles: syndic emits plain text; feedparser may emit HTML."""
    return visible_text(value)


def norm_date(value):
    """struct_time (UTC) or RFC 3339 string -> 'YYYY-MM-DDTHH:MM:SSZ'; else None."""
    if value is None or value == "":
        return None
    if isinstance(value, time.struct_time) or isinstance(value, tuple):
        try:
            ts = calendar.timegm(tuple(value)[:6] + (0, 0, 0))
            dt = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=ts)
            return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        except (OverflowError, ValueError, TypeError):
            return "unrepresentable:%r" % (tuple(value),)
    s = str(value).strip()
    try:
        dt = datetime.datetime.fromisoformat(s.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return "unparsed:" + s
    if dt.tzinfo is not None:
        dt = dt.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return dt.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def norm_encoding(name):
    if not name:
        return None
    n = str(name).strip().lower()
    try:
        n = codecs.lookup(n).name
    except LookupError:
        pass
    n = n.replace("_", "-")
    aliases = {"cp1252": "windows-1252", "latin-1": "iso-8859-1", "iso8859-1": "iso-8859-1"}
    return aliases.get(n, n)


def encodings_agree(a, b):
    a, b = norm_encoding(a), norm_encoding(b)
    if a == b:
        return True
    for group in ENCODING_GROUPS:
        if a in group and b in group:
            return True
    return False


def norm_link(value):
    if not isinstance(value, str) or not value.strip():
        return None
    u = value.strip()
    parts = urllib.parse.urlsplit(u)
    if parts.scheme in ("http", "https") and parts.netloc:
        # Scheme and host are case-insensitive (RFC 3986 §6.2.2.1); syndic lower-cases them.
        parts = parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower())
        if not parts.path:
            parts = parts._replace(path="/")
        u = urllib.parse.urlunsplit(parts)
    return u


def is_relative(value):
    return isinstance(value, str) and bool(value.strip()) and not urllib.parse.urlsplit(value.strip()).scheme


def links_agree(fpv, syv):
    """Exact after trivial normalization; a relative feedparser link (feedparser has no
    base URL for a local file) agrees with an absolute syndic link it resolves into."""
    a, b = norm_link(fpv), norm_link(syv)
    if a == b:
        return True
    if a and b and is_relative(a) and not is_relative(b):
        return norm_link(urllib.parse.urljoin(b, a)) == b
    return False


def empty(v):
    return v is None or v == "" or v == [] or v == {}


# ------------------------------------------------------------------ feedparser side


def dget(d, key):
    """Raw dict lookup, bypassing FeedParserDict's aliases and fallbacks."""
    return dict.get(d, key) if isinstance(d, dict) else None


def fp_authors(obj):
    out = []
    for a in dget(obj, "authors") or []:
        name = dget(a, "name") or dget(a, "email")
        if name:
            out.append(name)
    if not out and dget(obj, "author"):
        out.append(dget(obj, "author"))
    return out


def fp_enclosures(entry):
    out = []
    for link in dget(entry, "links") or []:
        if dget(link, "rel") == "enclosure":
            out.append(
                {"url": dget(link, "href"), "type": dget(link, "type"), "length": dget(link, "length")}
            )
    return out


def fp_to_shape(result):
    """Map a feedparser result to syndic's JSON shape (HTML kept as feedparser gives it).

    Keys starting with '_' carry extra facts used by the comparison rules."""
    feed = result.get("feed", {}) or {}
    version = result.get("version", "") or ""
    shape = {
        "format": VERSION_TO_FORMAT.get(version, version or None),
        # (an <rss> without version is 'rss' to feedparser: format is then not compared)
        "title": dget(feed, "title"),
        "link": dget(feed, "link"),
        # feedparser's feed['description'] alias reads summary (itunes:summary) then subtitle
        "description": dget(feed, "subtitle") if dget(feed, "subtitle") is not None else dget(feed, "summary"),
        "language": dget(feed, "language"),
        "updated": norm_date(dget(feed, "updated_parsed")),
        "encoding": result.get("encoding"),
        "warnings": [str(result.get("bozo_exception"))] if result.get("bozo") else [],
        "_bozo": bool(result.get("bozo")),
        "_version": version,
        "entries": [],
    }
    for e in result.get("entries", []) or []:
        content = dget(e, "content") or []
        content_value = dget(content[0], "value") if content else None
        tags = []
        for t in dget(e, "tags") or []:
            term = dget(t, "term") or dget(t, "label")
            if term:
                tags.append(term)
        shape["entries"].append(
            {
                "id": dget(e, "id"),
                "title": dget(e, "title"),
                "link": dget(e, "link"),
                "authors": fp_authors(e),
                "published": norm_date(dget(e, "published_parsed")),
                "updated": norm_date(dget(e, "updated_parsed")),
                "summary": dget(e, "summary"),
                "content": content_value,
                "categories": tags,
                "enclosures": fp_enclosures(e),
            }
        )
    return shape


def looks_like_json(path):
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def json_feed_reference(path):
    """feedparser 6.0.x has no JSON Feed reader; for files starting with '{' this
    small stdlib mapping of JSON Feed 1.0/1.1 stands in as the reference. Returns a
    feedparser-like dict (only the keys fp_to_shape reads), or None when not JSON Feed."""
    try:
        with open(path, "rb") as fh:
            doc = json.loads(fh.read().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(doc, dict) or "jsonfeed.org/version/" not in str(doc.get("version", "")):
        return None
    version = "json11" if str(doc["version"]).rstrip("/").endswith("1.1") else "json1"

    def authors(obj):
        lst = obj.get("authors") or ([obj["author"]] if isinstance(obj.get("author"), dict) else [])
        return [FeedParserDict(name=a.get("name")) for a in lst if isinstance(a, dict) and a.get("name")]

    def parsed(value):
        if not isinstance(value, str):
            return None
        try:
            dt = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return feedparser.datetimes._parse_date(value)
        if dt.tzinfo is not None:
            dt = dt.astimezone(datetime.timezone.utc)
        return dt.utctimetuple()

    feed = FeedParserDict()
    for ours, theirs in (("title", "title"), ("link", "home_page_url"), ("subtitle", "description"),
                         ("language", "language")):
        if doc.get(theirs):
            feed[ours] = doc[theirs]
    entries = []
    for item in doc.get("items") or []:
        if not isinstance(item, dict):
            continue
        e = FeedParserDict()
        for ours, theirs in (("id", "id"), ("title", "title"), ("link", "url"), ("summary", "summary")):
            if item.get(theirs) not in (None, ""):
                e[ours] = str(item[theirs])
        body = item.get("content_html") or item.get("content_text")
        if body:
            e["content"] = [FeedParserDict(value=body)]
        if authors(item) or authors(doc):
            e["authors"] = authors(item) or authors(doc)
        for ours, theirs in (("published_parsed", "date_published"), ("updated_parsed", "date_modified")):
            if parsed(item.get(theirs)):
                e[ours] = parsed(item.get(theirs))
        e["tags"] = [FeedParserDict(term=t) for t in item.get("tags") or [] if isinstance(t, str)]
        e["links"] = [
            FeedParserDict(rel="enclosure", href=a.get("url"), type=a.get("mime_type"),
                           length=a.get("size_in_bytes"))
            for a in item.get("attachments") or [] if isinstance(a, dict)
        ]
        entries.append(e)
    return FeedParserDict(feed=feed, entries=entries, version=version, encoding="utf-8", bozo=False)


def run_feedparser(path):
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError:
        head = b""
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        ref = json_feed_reference(path)
        if ref is not None:
            return ref
    try:
        return feedparser.parse(path)
    except Exception as exc:  # feedparser itself crashed: keep going
        return FeedParserDict(bozo=True, bozo_exception=exc, entries=[], feed={}, version="")


# ------------------------------------------------------------------ syndic side


def default_syndic():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    candidates = []
    tdir = os.environ.get("CARGO_TARGET_DIR")
    for base in [os.path.join(repo, "target")] + ([tdir] if tdir else []):
        candidates += [os.path.join(base, "release", "syndic"), os.path.join(base, "debug", "syndic")]
    for c in candidates:
        if os.access(c, os.X_OK):
            return c
    return candidates[0]


def run_syndic(binary, path, timeout):
    """-> dict(status=ok|unusable|crash|timeout|badjson, json=..., stderr=..., secs=...)"""
    t0 = time.monotonic()
    try:
        proc = subprocess.run(
            [binary, "parse", path, "--format", "json"],
            capture_output=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "json": None, "stderr": "", "secs": timeout}
    except OSError as exc:
        sys.exit("cannot run %s: %s" % (binary, exc))
    secs = time.monotonic() - t0
    err = proc.stderr.decode("utf-8", "replace")[-500:]
    if proc.returncode == 1:
        return {"status": "unusable", "json": None, "stderr": err, "secs": secs}
    if proc.returncode != 0:
        return {"status": "crash", "json": None, "stderr": "exit %d: %s" % (proc.returncode, err), "secs": secs}
    try:
        doc = json.loads(proc.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return {"status": "badjson", "json": None, "stderr": str(exc), "secs": secs}
    if not isinstance(doc, dict):
        return {"status": "badjson", "json": None, "stderr": "not an object", "secs": secs}
    return {"status": "ok", "json": doc, "stderr": err, "secs": secs}


def run_all_syndic(binary, paths, jobs, timeout):
    out = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futs = {pool.submit(run_syndic, binary, p, timeout): p for p in paths}
        done = 0
        for fut in concurrent.futures.as_completed(futs):
            out[futs[fut]] = fut.result()
            done += 1
            if done % 200 == 0:
                print("  syndic: %d/%d" % (done, len(paths)), file=sys.stderr)
    return out


# ------------------------------------------------------------------ field comparison

FEED_FIELDS = ["format", "title", "link", "description", "language", "updated", "encoding"]
ENTRY_FIELDS = [
    "id", "title", "link", "authors", "published", "updated",
    "summary", "content", "categories", "enclosures",
]

# feedparser keys that, when mentioned by an Expect line, make a field applicable
FEED_EXPECT_KEYS = {
    "format": {"version"},
    "title": {"title", "title_detail"},
    "link": {"link"},
    "description": {"subtitle", "tagline", "description", "subtitle_detail", "tagline_detail", "description_detail"},
    "language": {"language"},
    "updated": {"updated", "updated_parsed", "modified", "modified_parsed", "date", "date_parsed"},
    "encoding": {"encoding"},
    "bozo": {"bozo"},
}
ENTRY_EXPECT_KEYS = {
    "id": {"id", "guid"},
    "title": {"title", "title_detail"},
    "link": {"link"},
    "authors": {"author", "authors", "author_detail"},
    "published": {"published", "published_parsed", "issued", "issued_parsed"},
    "updated": {"updated", "updated_parsed", "modified", "modified_parsed", "date", "date_parsed"},
    "summary": {"summary", "description", "summary_detail", "description_detail"},
    "content": {"content"},
    "categories": {"tags", "category", "categories"},
    "enclosures": {"enclosures"},
}


def cmp_value(field, fpv, syv, fp_entry=None, sy_entry=None):
    """-> (agree, fp_display, sy_display)"""
    if field in ("title",):
        a, b = plain_title(fpv), plain_title(syv)
        return a == b, a, b
    if field in ("description", "summary", "content"):
        a, b = visible_text(fpv), visible_text(syv)
        if a == b:
            return True, a, b
        # feedparser copies content into summary when there is no summary element;
        # syndic may leave summary null then.
        if field == "summary" and b is None and fp_entry is not None:
            if a is not None and a == visible_text(fp_entry.get("content")):
                return True, a, b
        return False, a, b
    if field in ("updated", "published"):
        a, b = norm_date(fpv), norm_date(syv)
        return a == b, a, b
    if field == "encoding":
        return encodings_agree(fpv, syv), norm_encoding(fpv), norm_encoding(syv)
    if field == "authors":
        a = [WS_RE.sub(" ", str(x)).strip() for x in (fpv or [])]
        b = [WS_RE.sub(" ", str(x)).strip() for x in (syv or []) if x is not None]
        ok = len(a) == len(b) and all(x == y or (x and x in y) for x, y in zip(a, b))
        return ok, a, b
    if field == "categories":
        a = sorted(WS_RE.sub(" ", str(x)).strip() for x in (fpv or []))
        b = sorted(WS_RE.sub(" ", str(x)).strip() for x in (syv or []) if x is not None)
        return a == b, a, b

    if field == "enclosures":
        def enc(lst):
            out = []
            for x in lst or []:
                if not isinstance(x, dict):
                    continue
                length = x.get("length")
                try:
                    length = int(length) if length not in (None, "") else 0
                except (TypeError, ValueError):
                    length = 0
                out.append((x.get("url") or "", (x.get("type") or "").lower(), length))
            return out
        a, b = enc(fpv), enc(syv)
        return a == b, a, b
    if field == "link":
        return links_agree(fpv, syv), fpv, syv
    if field == "bozo":
        return bool(fpv) == bool(syv), bool(fpv), bool(syv)
    if isinstance(fpv, str) and isinstance(syv, str):
        return fpv.strip() == syv.strip(), fpv, syv
    if empty(fpv) and empty(syv):
        return True, fpv, syv
    return fpv == syv, fpv, syv


def compare_shapes(fp, sy, mentioned_feed=(), mentioned_entry=()):
    """Yield (field, entry_index_or_None, agree, fp_value, syndic_value).

    Applicability: a field is compared when feedparser has a non-empty value for it,
    or the file's Expect line mentions one of its feedparser keys (then the expected
    syndic value is empty/null too). `bozo` (warnings non-empty) only when Expect
    mentions it."""
    sy = sy or {}
    for field in FEED_FIELDS:
        fpv = fp.get(field)
        if field == "link" and is_relative(fpv) and empty(sy.get(field)):
            continue  # feedparser has only a relative link; syndic emits absolute or null
        if not empty(fpv) or field in mentioned_feed:
            ok, a, b = cmp_value(field, fpv, sy.get(field))
            yield field, None, ok, a, b
    if "bozo" in mentioned_feed:
        ok, a, b = cmp_value("bozo", fp.get("_bozo"), bool(sy.get("warnings")))
        yield "bozo", None, ok, a, b
    fpe = fp.get("entries") or []
    sye = sy.get("entries") or []
    if not isinstance(sye, list):
        sye = []
    if fpe or sye or mentioned_entry:
        yield "entries.count", None, len(fpe) == len(sye), len(fpe), len(sye)
    for i, fe in enumerate(fpe):
        se = sye[i] if i < len(sye) and isinstance(sye[i], dict) else {}
        for field in ENTRY_FIELDS:
            fpv = fe.get(field)
            if field == "link" and is_relative(fpv) and empty(se.get(field)):
                continue  # see above: relative feedparser link, syndic null
            if not empty(fpv) or field in mentioned_entry:
                ok, a, b = cmp_value(field, fpv, se.get(field), fe, se)
                yield "entry." + field, i, ok, a, b


# ------------------------------------------------------------------ Expect lines

DESC_RE = re.compile(rb"Description:\s*(.*?)\s*Expect:\s*(.*?)\s*-->", re.S)
SKIP_RE = re.compile(rb"SkipUnless:\s*(.*?)\n")
HEADER_RE = re.compile(rb"^Header:\s+([^:]+):(.+)$", re.M)

ALLOWED_NAMES = {
    "feed", "entries", "bozo", "encoding", "version",
    "len", "isinstance", "ord", "chr", "str", "int", "float", "bool", "list", "tuple",
    "dict", "set", "sorted", "min", "max", "any", "all", "type", "repr", "u",
    "time", "datetime", "True", "False", "None",
}
FEED_OK = {
    "title", "link", "subtitle", "tagline", "description", "language",
    "updated", "updated_parsed", "modified", "modified_parsed", "date", "date_parsed",
    "title_detail", "subtitle_detail", "tagline_detail", "description_detail",
}
ENTRY_OK = {
    "title", "link", "id", "guid", "summary", "description", "content", "tags",
    "category", "enclosures", "author", "authors", "published", "published_parsed",
    "issued", "issued_parsed", "updated", "updated_parsed", "modified", "modified_parsed",
    "date", "date_parsed", "title_detail", "summary_detail", "description_detail",
}
# sub-keys of a detail dict syndic can fill (only the value, not type/language/base)
DETAIL_OK = {"value"}
SUB_OK = {
    "content": {"value"},
    "tags": {"term"},
    "enclosures": {"href", "url", "type", "length"},
    "authors": {"name"},
}


def _decode_utf_bom(data):
    for bom, enc in (
        (b"\x00\x00\xfe\xff", "utf-32be"), (b"\xff\xfe\x00\x00", "utf-32le"),
        (b"\x00\x00\x00\x3c", "utf-32be"), (b"\x3c\x00\x00\x00", "utf-32le"),
        (b"\x00\x3c\x00\x3f", "utf-16be"), (b"\x3c\x00\x3f\x00", "utf-16le"),
        (b"\xfe\xff", "utf-16be"), (b"\xff\xfe", "utf-16le"), (b"\x4c\x6f\xa7\x94", "cp037"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc).lstrip("\ufeff").encode("utf-8")
            except UnicodeDecodeError:
                return data
    return data


def read_expect(path):
    """-> (description, expect_expr, skip_unless, headers) or None."""
    try:
        with open(path, "rb") as fh:
            data = _decode_utf_bom(fh.read())
    except OSError:
        return None
    m = DESC_RE.search(data)
    if not m:
        return None
    skip = SKIP_RE.search(data)
    headers = {k.strip().decode("latin-1"): v.strip().decode("latin-1") for k, v in HEADER_RE.findall(data)}
    return (
        m.group(1).decode("utf-8", "replace").strip(),
        m.group(2).decode("utf-8", "replace").strip(),
        skip.group(1).decode("utf-8", "replace").strip() if skip else None,
        headers,
    )


def _chain(node):
    """Subscript/attribute/.get chain -> (root_name, [keys]) ; ints -> '#'."""
    keys = []
    while True:
        if isinstance(node, ast.Subscript):
            sl = node.slice
            if isinstance(sl, ast.Constant):
                keys.append("#" if isinstance(sl.value, int) else str(sl.value))
            else:
                keys.append("#")
            node = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            arg = node.args[0] if node.args else None
            keys.append(str(arg.value) if isinstance(arg, ast.Constant) else "?")
            node = node.func.value
        elif isinstance(node, ast.Attribute):
            keys.append(node.attr)
            node = node.value
        else:
            break
    root = node.id if isinstance(node, ast.Name) else None
    return root, list(reversed(keys))


STR_METHODS = set(dir(str)) | {"keys", "values", "items", "get"}


def expect_paths(expr):
    """All (root, keys) paths an Expect expression reads; None if unparsable."""
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        return None, set()
    paths, names = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        if isinstance(node, (ast.Subscript, ast.Attribute)) or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
        ):
            root, keys = _chain(node)
            if root in ("feed", "entries"):
                paths.append((root, keys))
        if isinstance(node, ast.Compare):
            # 'key' in feed / 'key' in entries[0]
            for op, comp in zip(node.ops, node.comparators):
                if isinstance(op, (ast.In, ast.NotIn)) and isinstance(node.left, ast.Constant):
                    root, keys = _chain(comp)
                    if root in ("feed", "entries"):
                        paths.append((root, keys + [str(node.left.value)]))
    return paths, names


def _path_ok(root, keys):
    keys = [k for k in keys if k not in STR_METHODS or k in FEED_OK or k in ENTRY_OK]
    if root == "feed":
        if not keys:
            return True
        if keys[0] not in FEED_OK:
            return False
        if keys[0].endswith("_detail"):
            return len(keys) == 1 or (keys[1] in DETAIL_OK and all(k == "#" for k in keys[2:]))
        return all(k == "#" for k in keys[1:])
    if root == "entries":
        if len(keys) <= 1:
            return all(k == "#" for k in keys)
        if keys[0] != "#" or keys[1] not in ENTRY_OK:
            return False
        rest = keys[2:]
        if keys[1].endswith("_detail"):
            return not rest or (rest[0] in DETAIL_OK and all(k == "#" for k in rest[1:]))
        sub = SUB_OK.get(keys[1])
        if sub is None:
            return all(k == "#" for k in rest)
        if not rest:
            return True
        if rest[0] != "#":
            return False
        return len(rest) == 1 or (rest[1] in sub and all(k == "#" for k in rest[2:]))
    return False


def expect_applicable(expr):
    paths, names = expect_paths(expr)
    if paths is None:
        return False
    if not names <= ALLOWED_NAMES:
        return False
    return all(_path_ok(r, k) for r, k in paths)


def mentioned_fields(expr):
    paths, names = expect_paths(expr)
    feed_keys, entry_keys = set(), set()
    for root, keys in paths or []:
        if root == "feed" and keys:
            feed_keys.add(keys[0])
        if root == "entries" and len(keys) >= 2:
            entry_keys.add(keys[1])
    feed_keys |= names & {"version", "encoding", "bozo"}
    mf = {f for f, ks in FEED_EXPECT_KEYS.items() if ks & feed_keys}
    me = {f for f, ks in ENTRY_EXPECT_KEYS.items() if ks & entry_keys}
    return mf, me


VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Canon(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []

    def handle_starttag(self, tag, attrs):
        self.out.append(("<", tag, tuple(sorted((k, v or "") for k, v in attrs))))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag not in VOID_TAGS:
            self.out.append(("/", tag))

    def handle_data(self, data):
        text = WS_RE.sub(" ", data)
        if text.strip():
            if self.out and self.out[-1][0] == "t":
                self.out[-1] = ("t", WS_RE.sub(" ", self.out[-1][1] + text))
            else:
                self.out.append(("t", text))


def canonical_html(value):
    """Serialization-independent form of an HTML fragment: tags lowercased, attributes
    sorted, entities decoded, whitespace collapsed, void end tags dropped."""
    p = _Canon()
    try:
        p.feed(str(value))
        p.close()
    except Exception:
        return ("raw", str(value))
    return tuple((t[0], t[1].strip()) if t[0] == "t" else t for t in p.out)


class HtmlStr(str):
    """syndic's sanitized HTML; equal to an HTML string with the same canonical form."""

    def __eq__(self, other):
        if not isinstance(other, str):
            return False
        return str.__eq__(self, other) or canonical_html(self) == canonical_html(other)

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__


class TextStr(str):
    """syndic's plain-text title; equal to feedparser's (possibly HTML) title with the
    same visible text."""

    def __eq__(self, other):
        if not isinstance(other, str):
            return False
        return str.__eq__(self, other) or visible_text(self) == visible_text(other)

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__


class AnyRss09(str):
    """syndic folds RSS 0.90-0.94 into one format; accept any of feedparser's names."""

    def __eq__(self, other):
        return other in ("rss090", "rss091n", "rss091u", "rss092", "rss093", "rss094", "rss")

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__


class DateStr(str):
    """syndic's RFC 3339 date; equal to a raw date string feedparser would keep
    verbatim when feedparser's own date parser gives the same instant."""

    def __eq__(self, other):
        if not isinstance(other, str):
            return False
        if str.__eq__(self, other):
            return True
        try:
            parsed = feedparser.datetimes._parse_date(other)
        except Exception:
            parsed = None
        return parsed is not None and norm_date(parsed) == norm_date(str(self))

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__


def _struct(value):
    d = norm_date(value)
    if not d or not d[0].isdigit():
        return None
    return datetime.datetime.strptime(d, "%Y-%m-%dT%H:%M:%SZ").utctimetuple()


def syndic_env(doc):
    """A feedparser-like result built from syndic JSON (only the keys syndic has)."""
    doc = doc or {}
    feed = FeedParserDict()
    for ours, theirs, kind in (("title", "title", TextStr), ("link", "link", str),
                               ("description", "subtitle", HtmlStr), ("language", "language", str)):
        if isinstance(doc.get(ours), str):
            feed[theirs] = kind(doc[ours])
    for k in ("title", "subtitle"):
        if k in feed:
            feed[k + "_detail"] = FeedParserDict(value=dict.__getitem__(feed, k))
    if doc.get("updated"):
        feed["updated"] = DateStr(doc["updated"])
        feed["updated_parsed"] = _struct(doc["updated"])
    entries = []
    for e in doc.get("entries") or []:
        if not isinstance(e, dict):
            continue
        fe = FeedParserDict()
        for k, kind in (("id", str), ("title", TextStr), ("link", str), ("summary", HtmlStr)):
            if isinstance(e.get(k), str):
                fe[k] = kind(e[k])
        if isinstance(e.get("content"), str):
            fe["content"] = [FeedParserDict(value=HtmlStr(e["content"]), type="text/html")]
            # like feedparser: no summary element -> summary is a copy of the content
            fe.setdefault("summary", fe["content"][0]["value"])
        for k in ("title", "summary"):
            if k in fe:
                fe[k + "_detail"] = FeedParserDict(value=fe[k])
        links = []
        if e.get("link"):
            links.append(FeedParserDict(rel="alternate", href=e["link"], type="text/html"))
        for enc in e.get("enclosures") or []:
            if isinstance(enc, dict):
                ln = enc.get("length")
                links.append(FeedParserDict(
                    rel="enclosure", href=enc.get("url"), type=enc.get("type") or "",
                    length="" if ln in (None, 0) else str(ln),
                ))
        fe["links"] = links
        if e.get("categories"):
            fe["tags"] = [FeedParserDict(term=c, scheme=None, label=None) for c in e["categories"]]
        authors = [a for a in e.get("authors") or [] if a]
        if authors:
            fe["author"] = authors[0]
            fe["authors"] = [FeedParserDict(name=a) for a in authors]
        for k in ("published", "updated"):
            if e.get(k):
                fe[k] = DateStr(e[k])
                fe[k + "_parsed"] = _struct(e[k])
        entries.append(fe)
    fmt = doc.get("format") or ""
    version = AnyRss09("rss0.9x") if fmt == "rss0.9x" else FORMAT_TO_VERSION.get(fmt, fmt)
    return {
        "feed": feed,
        "entries": entries,
        "bozo": bool(doc.get("warnings")),
        "encoding": doc.get("encoding") or "",
        "version": version,
    }


EVAL_GLOBALS = {"feedparser": feedparser, "time": time, "datetime": datetime, "u": lambda s, *a: s}


def eval_expect(expr, env):
    try:
        return bool(eval(expr, dict(EVAL_GLOBALS), env))  # noqa: S307 - test-suite expressions
    except Exception:
        return False


# ------------------------------------------------------------------ reporting


def pct(a, n):
    return "%6.2f%%" % (100.0 * a / n) if n else "    n/a"


def group_of(root, path, depth=2):
    rel = os.path.relpath(path, root)
    parts = rel.split(os.sep)[:-1]
    return "/".join(parts[:depth]) or "."


def short(v, n=160):
    s = json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    return s if len(s) <= n else s[: n - 3] + "..."


def list_files(root, only=None):
    out = []
    base = os.path.join(root, only) if only else root
    for d, _, files in os.walk(base):
        for f in files:
            if f.lower().endswith(FEED_EXTS):
                out.append(os.path.join(d, f))
    return sorted(out)


def unmojibake(s):
    """`s` with double-encoded UTF-8 undone (each character back to its Windows-1252 /
    Latin-1 byte, then read as UTF-8; undecodable bytes dropped), or None."""
    out = bytearray()
    for ch in s:
        if ord(ch) < 256:
            out.append(ord(ch))
        else:
            try:
                out += ch.encode("cp1252")
            except UnicodeEncodeError:
                return None
    return out.decode("utf-8", "ignore")


def fp_kept_mojibake(a, b):
    """feedparser left double-encoded UTF-8 that syndic repaired: feedparser only repairs
    values that re-encode as Latin-1, so Windows-1252 mojibake (curly quotes 'â€™',
    Cyrillic 'Ð’') stays."""
    if not isinstance(a, str) or not isinstance(b, str) or a == b:
        return False
    fixed = unmojibake(a)
    squash = lambda v: re.sub(r"\s+", "", v)
    return fixed is not None and fixed != a and squash(fixed) == squash(b)


def category(field, a, b):
    """Coarse kind of a disagreement, for the 'top categories' table."""
    if empty(b) and not empty(a):
        kind = "syndic empty"
    elif empty(a) and not empty(b):
        kind = "feedparser empty"
    elif fp_kept_mojibake(a, b):
        kind = "feedparser kept mojibake that syndic repaired"
    else:
        kind = "values differ"
    return "%s: %s" % (field, kind)


def print_categories(counter, n=10):
    print("\n== top disagreement categories")
    for cat, cnt in counter.most_common(n):
        print("  %6d  %s" % (cnt, cat))


def status_line(statuses):
    c = collections.Counter(statuses)
    return ", ".join("%s %d" % (k, v) for k, v in sorted(c.items()))


# ------------------------------------------------------------------ suite mode


def cmd_suite(args):
    root = os.path.abspath(args.dir)
    files = list_files(root, args.only)
    if args.limit:
        files = files[: args.limit]
    if not files:
        sys.exit("no feed files under %s" % root)
    print("suite: %d files under %s; syndic = %s" % (len(files), root, args.syndic), file=sys.stderr)
    t0 = time.monotonic()
    syn = run_all_syndic(args.syndic, files, args.jobs, args.timeout)
    syn_secs = time.monotonic() - t0

    per_group = collections.defaultdict(lambda: [0, 0])
    per_field = collections.defaultdict(lambda: [0, 0])
    exp_group = collections.defaultdict(lambda: [0, 0, 0])  # applicable, passed, fp_self_pass
    shown = collections.Counter()
    cats = collections.Counter()
    statuses = []
    exp_total = exp_app = exp_pass = exp_fp_pass = exp_app_fp_pass = 0
    # the same figures without files that carry `Header:` lines (HTTP-served tests)
    nohdr = collections.Counter()
    with open(args.details, "w", encoding="utf-8") as det:
        for path in files:
            rel = os.path.relpath(path, root)
            grp = group_of(root, path)
            meta = read_expect(path)
            expr = meta[1] if meta else None
            headers = meta[3] if meta else {}
            skip = meta[2] if meta else None
            if skip:
                try:
                    if not eval(skip, {"__builtins__": __builtins__}):  # noqa: S307
                        continue
                except Exception:
                    continue
            fp_result = run_feedparser(path)
            fp = fp_to_shape(fp_result)
            s = syn[path]
            statuses.append(s["status"])
            mf, me = mentioned_fields(expr) if expr else (set(), set())
            if s["status"] in ("crash", "timeout", "badjson"):
                cats["syndic exit: " + s["status"]] += 1
                det.write(json.dumps({"file": rel, "field": "status", "fp": "ok", "syndic": s["status"],
                                      "detail": s["stderr"]}, ensure_ascii=False) + "\n")
            for field, idx, ok, a, b in compare_shapes(fp, s["json"], mf, me):
                per_group[grp][0] += 1
                per_field[field][0] += 1
                nohdr["fields"] += not headers
                nohdr["fields_ok"] += bool(ok and not headers)
                if ok:
                    per_group[grp][1] += 1
                    per_field[field][1] += 1
                    continue
                cats[category(field, a, b)] += 1
                rec = {"file": rel, "field": field, "fp": a, "syndic": b}
                if idx is not None:
                    rec["entry"] = idx
                if headers:
                    rec["http_headers"] = True
                det.write(json.dumps(rec, ensure_ascii=False) + "\n")
                if shown[field] < args.show:
                    shown[field] += 1
                    print("DIFF %-18s %s%s\n     fp:     %s\n     syndic: %s" % (
                        field, rel, "" if idx is None else " [entry %d]" % idx, short(a), short(b)))
            if expr:
                exp_total += 1
                fp_self = eval_expect(expr, fp_result)
                exp_fp_pass += fp_self
                if expect_applicable(expr):
                    exp_app += 1
                    exp_group[grp][0] += 1
                    exp_app_fp_pass += fp_self
                    passed = s["json"] is not None and eval_expect(expr, syndic_env(s["json"]))
                    nohdr["exp"] += not headers
                    nohdr["exp_ok"] += bool(passed and not headers)
                    nohdr["exp_fpself"] += bool(fp_self)
                    nohdr["exp_fpself_ok"] += bool(fp_self and passed)
                    if passed:
                        exp_pass += 1
                        exp_group[grp][1] += 1
                    else:
                        cats["expect check failed" + ("" if fp_self else " (feedparser fails too)")] += 1
                        det.write(json.dumps({"file": rel, "field": "expect", "fp": expr,
                                              "syndic": "failed", "fp_self_pass": fp_self,
                                              "http_headers": bool(headers)}, ensure_ascii=False) + "\n")
                    exp_group[grp][2] += fp_self

    print("\n== per directory: field checks agreed / applicable  (expect checks passed / applicable)")
    for grp in sorted(set(per_group) | set(exp_group)):
        n, a = per_group[grp]
        en, ea, _ = exp_group[grp]
        print("  %-28s %s %6d/%-6d   expect %s %4d/%-4d" % (grp, pct(a, n), a, n, pct(ea, en), ea, en))
    print("\n== per field")
    for field in sorted(per_field, key=lambda f: (f.startswith("entry"), f)):
        n, a = per_field[field]
        print("  %-20s %s %6d/%-6d  (%d disagree)" % (field, pct(a, n), a, n, n - a))
    print_categories(cats)
    tot_n = sum(v[0] for v in per_field.values())
    tot_a = sum(v[1] for v in per_field.values())
    print("\n== headline")
    print("  files: %d   syndic exits: %s   syndic wall time %.1fs" % (len(statuses), status_line(statuses), syn_secs))
    print("  field checks agreed: %s  (%d/%d)" % (pct(tot_a, tot_n), tot_a, tot_n))
    print("  expect checks applicable: %d of %d Expect lines; passed %s (%d/%d); "
          "feedparser itself passes %d/%d applicable (%d/%d all, no HTTP headers given)" % (
              exp_app, exp_total, pct(exp_pass, exp_app), exp_pass, exp_app,
              exp_app_fp_pass, exp_app, exp_fp_pass, exp_total))
    print("  without files that need HTTP headers: field checks %s (%d/%d), expect checks %s (%d/%d)" % (
        pct(nohdr["fields_ok"], nohdr["fields"]), nohdr["fields_ok"], nohdr["fields"],
        pct(nohdr["exp_ok"], nohdr["exp"]), nohdr["exp_ok"], nohdr["exp"]))
    print("  expect checks that feedparser itself passes: syndic passes %s (%d/%d)" % (
        pct(nohdr["exp_fpself_ok"], nohdr["exp_fpself"]), nohdr["exp_fpself_ok"], nohdr["exp_fpself"]))
    print("  details: %s" % args.details)


# ------------------------------------------------------------------ corpus mode

CORPUS_FIELDS = ["title", "link", "published", "updated"]


def read_manifest(root):
    path = os.path.join(root, "MANIFEST.tsv")
    out = {}
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        for line in fh:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            if row.get("file"):
                out[row["file"]] = row
    return out


def cmd_corpus(args):
    root = os.path.abspath(args.dir)
    manifest = read_manifest(root)
    if manifest:
        files = [os.path.join(root, f) for f in sorted(manifest)]
    else:
        files = list_files(root)
    if args.limit:
        files = files[: args.limit]
    print("corpus: %d files under %s; syndic = %s" % (len(files), root, args.syndic), file=sys.stderr)
    t0 = time.monotonic()
    syn = run_all_syndic(args.syndic, files, args.jobs, args.timeout)
    syn_secs = time.monotonic() - t0

    field_n = collections.Counter()
    field_a = collections.Counter()
    syndic_only = collections.Counter()
    entries_total = entries_ok = 0
    count_ok = manifest_ok = 0
    per_file = []
    statuses = []
    shown = collections.Counter()
    cats = collections.Counter()
    with open(args.details, "w", encoding="utf-8") as det:
        for path in files:
            rel = os.path.relpath(path, root)
            fp = fp_to_shape(run_feedparser(path))
            s = syn[path]
            statuses.append(s["status"])
            sy = s["json"] or {}
            fpe = fp["entries"]
            sye = [e for e in (sy.get("entries") or []) if isinstance(e, dict)]
            if s["status"] != "ok":
                cats["syndic exit: " + s["status"]] += 1
            if len(fpe) == len(sye):
                count_ok += 1
            else:
                cats["entries.count differs"] += 1
                det.write(json.dumps({"file": rel, "field": "entries.count", "fp": len(fpe),
                                      "syndic": len(sye), "status": s["status"]}) + "\n")
            want = manifest.get(rel, {}).get("items")
            if want is not None and want.isdigit() and int(want) == len(sye):
                manifest_ok += 1
            n = max(len(fpe), len(sye))
            bad = 0
            for i in range(n):
                fe = fpe[i] if i < len(fpe) else {}
                se = sye[i] if i < len(sye) else {}
                all_ok = bool(fe) and bool(se)
                for field in CORPUS_FIELDS:
                    fpv, syv = fe.get(field), se.get(field)
                    if field == "link" and is_relative(fpv) and empty(syv):
                        syndic_only["link-relative"] += 1
                        continue
                    if empty(fpv):
                        if not empty(syv):
                            syndic_only[field] += 1
                        if fe:
                            continue
                    ok, a, b = cmp_value(field, fpv, syv)
                    field_n[field] += 1
                    if ok:
                        field_a[field] += 1
                        continue
                    all_ok = False
                    cats[category("entry." + field, a, b)] += 1
                    det.write(json.dumps({"file": rel, "field": "entry." + field, "entry": i,
                                          "fp": a, "syndic": b}, ensure_ascii=False) + "\n")
                    if shown[field] < args.show:
                        shown[field] += 1
                        print("DIFF %-10s %s [entry %d]\n     fp:     %s\n     syndic: %s" % (
                            field, rel, i, short(a), short(b)))
                entries_total += 1
                entries_ok += all_ok
                bad += not all_ok
            per_file.append((bad, n, rel, len(fpe), len(sye), want, s["status"]))

    print("\n== per field (entries matched by position; compared where feedparser has a value)")
    for field in CORPUS_FIELDS:
        print("  %-10s %s %6d/%-6d  (syndic-only values, not counted: %d)" % (
            field, pct(field_a[field], field_n[field]), field_a[field], field_n[field], syndic_only[field]))
    print("  (not compared: %d entry links relative in feedparser, null in syndic)" % syndic_only["link-relative"])
    print_categories(cats)
    print("\n== worst files (disagreeing entries / entries)")
    per_file.sort(key=lambda r: (-r[0], -(r[0] / r[1] if r[1] else 0), r[2]))
    for bad, n, rel, nf, ns, want, st in per_file[: args.worst]:
        if bad == 0 and nf == ns:
            break
        print("  %4d/%-4d %-60s fp %d syndic %d manifest %s %s" % (bad, n, rel, nf, ns, want, st))
    print("\n== headline")
    print("  files: %d   syndic exits: %s   syndic wall time %.1fs" % (len(files), status_line(statuses), syn_secs))
    print("  entry counts equal to feedparser: %d/%d files; equal to MANIFEST items: %d/%d" % (
        count_ok, len(files), manifest_ok, sum(os.path.relpath(f, root) in manifest for f in files)))
    print("  entries agreeing on all compared fields: %s (%d/%d)" % (pct(entries_ok, entries_total), entries_ok, entries_total))
    print("  details: %s" % args.details)


def main(argv=None):
    def common(parser, suppress):
        d = (lambda v: argparse.SUPPRESS) if suppress else (lambda v: v)
        parser.add_argument("--syndic", default=d(None), help="syndic binary (default: target/{release,debug}/syndic)")
        parser.add_argument("--jobs", type=int, default=d(2), help="parallel syndic processes (default 2)")
        parser.add_argument("--timeout", type=float, default=d(30.0), help="seconds per syndic run (default 30)")
        parser.add_argument("--show", type=int, default=d(0), help="print the first N disagreements per field")
        parser.add_argument("--details", default=d(None), help="JSON-lines file of disagreements")
        parser.add_argument("--limit", type=int, default=d(0), help="only the first N files (smoke runs)")

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common(ap, False)
    sub = ap.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("suite", help="feedparser-style test suite with Expect lines")
    common(s, True)
    s.add_argument("dir")
    s.add_argument("--only", default=None, help="restrict to a subdirectory, e.g. wellformed/atom10")
    c = sub.add_parser("corpus", help="real-world feeds with MANIFEST.tsv")
    common(c, True)
    c.add_argument("dir")
    c.add_argument("--worst", type=int, default=15, help="how many worst files to list")
    args = ap.parse_args(argv)
    args.syndic = args.syndic or default_syndic()
    if not args.details:
        args.details = "feedparser_compare-%s.jsonl" % args.mode
    if args.mode == "suite":
        cmd_suite(args)
    else:
        cmd_corpus(args)


if __name__ == "__main__":
    main()
