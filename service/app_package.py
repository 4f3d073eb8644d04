"""Build and check the helpdesk app packages offline.

The vendors' own validators need their servers (`zcli apps:validate` uploads the zip; `fdk
validate` is not on a public registry), so this module checks the rules they document: Zendesk's
from zendesk_apps_support (validations/manifest.rb, translations.rb) and the styling guide (logo
sizes); Freshworks' from the platform 3.0 docs (manifest, app client, request templates, iparams).
"""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
from pathlib import Path
from urllib.parse import urlparse

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
LOGOS = {"assets/logo.png": 320, "assets/logo-small.png": 128}
LOCALE = re.compile(r"^[a-z]{2,3}(-\w{2,3})?$")
TEMPLATE_VAR = re.compile(r"<%=\s*iparam\.(\w+)\s*%>")
ZENDESK_BOOLEANS = ("requirementsOnly", "marketingOnly", "singleInstall", "signedUrls", "private")


class PackageError(ValueError):
    """A package breaks a documented rule; the message lists every problem found."""


def app_files(folder: Path) -> dict[str, bytes]:
    """Every file of an app folder, by its path inside the package (sorted, so zips repeat)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".DS_Store"}


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip with fixed timestamps: the same files give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name], compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def zendesk_files(url: str | None = None, folder: Path | None = None) -> dict[str, bytes]:
    """The Zendesk app's files; with `url`, Breather's address is written into the location."""
    files = app_files(folder or DEPLOY / "zendesk-app")
    if url:
        manifest = json.loads(files["manifest.json"])
        sidebar = manifest["location"]["support"]["ticket_sidebar"]
        sidebar["url"] = f"{url.rstrip('/')}/apps/zendesk/sidebar"
        files["manifest.json"] = (json.dumps(manifest, indent=2) + "\n").encode()
    return files


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR chunk; None if it is not a PNG."""
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def _json(files: dict[str, bytes], name: str, problems: list[str]):
    if name not in files:
        problems.append(f"{name} is missing")
        return None
    try:
        value = json.loads(files[name])
    except ValueError as exc:
        problems.append(f"{name} is not JSON ({exc})")
        return None
    if not isinstance(value, dict):
        problems.append(f"{name} must hold a JSON object")
        return None
    return value


def zendesk_problems(files: dict[str, bytes]) -> list[str]:
    """Every documented rule the Zendesk package breaks (empty: it passes)."""
    problems: list[str] = []
    manifest = _json(files, "manifest.json", problems)
    if manifest is None:
        return problems
    _zendesk_manifest(manifest, files, problems)
    _zendesk_translations(manifest, files, problems)
    for name, side in LOGOS.items():
        size = png_size(files.get(name, b""))
        if size != (side, side):
            problems.append(f"{name} must be a {side}x{side} PNG (found {size or 'none'})")
    return problems


def _zendesk_manifest(manifest: dict, files: dict[str, bytes], problems: list[str]) -> None:
    for key in ("author", "defaultLocale", "location"):
        if manifest.get(key) in (None, {}, ""):
            problems.append(f"manifest.json: {key} is required")
    author = manifest.get("author") or {}
    for key in ("name", "email"):
        if not isinstance(author.get(key), str) or not author.get(key):
            problems.append(f"manifest.json: author.{key} must be a string")
    if author.get("url") and urlparse(author["url"]).scheme not in ("http", "https"):
        problems.append("manifest.json: author.url is not a URL")
    if manifest.get("frameworkVersion") != "2.0":
        problems.append('manifest.json: frameworkVersion must be "2.0"')
    if manifest.get("signedUrls") is not True:
        problems.append("manifest.json: signedUrls must be true (Breather checks the signed load)")
    for key in ZENDESK_BOOLEANS:
        if key in manifest and not isinstance(manifest[key], bool):
            problems.append(f"manifest.json: {key} must be a boolean")
    names = [p.get("name") for p in manifest.get("parameters", [])]
    if len(names) != len(set(names)):
        problems.append("manifest.json: parameter names must be unique")
    for parameter in manifest.get("parameters", []):
        for key in ("required", "secure"):
            if key in parameter and not isinstance(parameter[key], bool):
                problems.append(f"manifest.json: parameters[{parameter.get('name')}].{key} "
                                "must be a boolean")
    for product, locations in (manifest.get("location") or {}).items():
        for where, options in locations.items():
            problems.extend(_location_url(f"{product}.{where}", options.get("url", ""), files))


def _location_url(where: str, url: str, files: dict[str, bytes]) -> list[str]:
    """Absolute URLs must be https (or localhost); relative ones must be assets files."""
    if not url:
        return [f"manifest.json: location {where} has no url"]
    if "{{setting." in url:
        return []
    parsed = urlparse(url)
    if parsed.scheme:
        if parsed.scheme == "https" or parsed.hostname in ("localhost", "127.0.0.1"):
            return []
        return [f"manifest.json: location {where} url {url!r} must be https"]
    if url.startswith("assets/") and url in files:
        return []
    return [f"manifest.json: location {where} url {url!r} is not a file in assets/"]


def _zendesk_translations(manifest: dict, files: dict[str, bytes], problems: list[str]) -> None:
    default = manifest.get("defaultLocale") or ""
    if not LOCALE.match(default):
        problems.append(f"manifest.json: defaultLocale {default!r} is not a locale")
    if f"translations/{default}.json" not in files:
        problems.append(f"translations/{default}.json is missing (the default locale)")
    public = manifest.get("private") is False
    parameters = [p.get("name") for p in manifest.get("parameters", [])]
    for name in (n for n in files if n.startswith("translations/")):
        locale = name[len("translations/"):-len(".json")]
        if not name.endswith(".json") or not LOCALE.match(locale):
            problems.append(f"{name}: not a translations/<locale>.json file")
            continue
        app = (_json(files, name, problems) or {}).get("app") or {}
        required = ["name"] + (["short_description", "long_description",
                                "installation_instructions"] if public else [])
        problems.extend(f"{name}: app.{key} is required" for key in required if not app.get(key))
        for parameter in parameters:
            if not (app.get("parameters", {}).get(parameter) or {}).get("label"):
                problems.append(f"{name}: app.parameters.{parameter}.label is required")


def freshdesk_problems(files: dict[str, bytes]) -> list[str]:
    """Every documented rule the Freshworks (platform 3.0) package breaks."""
    problems: list[str] = []
    manifest = _json(files, "manifest.json", problems)
    iparams = _json(files, "config/iparams.json", problems) or {}
    requests = _json(files, "config/requests.json", problems) or {}
    if manifest is None:
        return problems
    if manifest.get("platform-version") != "3.0":
        problems.append('manifest.json: platform-version must be "3.0"')
    if not (manifest.get("engines") or {}).get("node"):
        problems.append("manifest.json: engines.node is required")
    modules = manifest.get("modules") or {}
    declared = set((modules.get("common") or {}).get("requests") or {})
    if declared != set(requests):
        problems.append(f"manifest.json requests {sorted(declared)} and config/requests.json "
                        f"{sorted(requests)} must name the same templates")
    sidebar = ((modules.get("support_ticket") or {}).get("location") or {}).get("ticket_sidebar")
    if not sidebar:
        problems.append("manifest.json: modules.support_ticket.location.ticket_sidebar is missing")
    else:
        _freshdesk_location(sidebar, files, problems)
    for name, template in requests.items():
        _freshdesk_request(name, template, iparams, problems)
    for name, param in iparams.items():
        if not param.get("display_name") or not param.get("type"):
            problems.append(f"config/iparams.json: {name} needs display_name and type")
    return problems


def _freshdesk_location(sidebar: dict, files: dict[str, bytes], problems: list[str]) -> None:
    page = f"app/{sidebar.get('url', '')}"
    if page not in files:
        problems.append(f"manifest.json: ticket_sidebar url {sidebar.get('url')!r} is not in app/")
    elif b"{{{appclient}}}" not in files[page]:
        problems.append(f"{page} must load the app client: <script src=\"{{{{{{appclient}}}}}}\">")
    icon = f"app/{sidebar.get('icon', '')}"
    if icon not in files or not icon.endswith(".svg"):
        problems.append(f"manifest.json: ticket_sidebar icon {sidebar.get('icon')!r} must be an "
                        "SVG file in app/")
    else:
        from xml.etree import ElementTree

        try:
            ElementTree.fromstring(files[icon])
        except ElementTree.ParseError as exc:
            problems.append(f"{icon} is not valid SVG ({exc})")


def _freshdesk_request(name: str, template: dict, iparams: dict, problems: list[str]) -> None:
    schema = template.get("schema") or {}
    for key in ("method", "host", "path"):
        if not schema.get(key):
            problems.append(f"config/requests.json: {name}.schema.{key} is required")
    if schema.get("protocol", "https") != "https":
        problems.append(f"config/requests.json: {name} must use https")
    headers = json.dumps(schema.get("headers") or {})
    elsewhere = json.dumps({k: v for k, v in schema.items() if k != "headers"})
    for used in TEMPLATE_VAR.findall(headers + elsewhere):
        if used not in iparams:
            problems.append(f"config/requests.json: {name} uses iparam.{used}, "
                            "which config/iparams.json does not declare")
    for used in TEMPLATE_VAR.findall(elsewhere):
        if (iparams.get(used) or {}).get("secure"):
            problems.append(f"config/requests.json: secure iparam.{used} may only be used in "
                            "headers")


def check(kind: str, files: dict[str, bytes]) -> None:
    """Raise PackageError listing every problem of a `zendesk` or `freshdesk` package."""
    problems = zendesk_problems(files) if kind == "zendesk" else freshdesk_problems(files)
    if problems:
        raise PackageError(f"the {kind} app breaks documented rules:\n- " + "\n- ".join(problems))
