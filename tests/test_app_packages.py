"""`breather apps package` builds both helpdesk apps, checked offline against the rules the
vendors document; each rule is shown to catch a broken package."""

from __future__ import annotations

import importlib.util
import io
import json
import zipfile

import pytest
from click.testing import CliRunner

from service import app_package as pkg
from service.cli import main

ZENDESK = pkg.DEPLOY / "zendesk-app"
FRESHDESK = pkg.DEPLOY / "freshdesk-app"


def test_package_command_writes_two_valid_zips(tmp_path):
    """Both zips are written, hold the app files at their root, and pass every check."""
    result = CliRunner().invoke(main, ["apps", "package", "--out", str(tmp_path),
                                       "--url", "https://breather.example.com"])
    assert result.exit_code == 0, result.output
    zendesk = zipfile.ZipFile(tmp_path / "breather-zendesk.zip")
    files = {n: zendesk.read(n) for n in zendesk.namelist()}
    assert pkg.zendesk_problems(files) == []
    sidebar = json.loads(files["manifest.json"])["location"]["support"]["ticket_sidebar"]
    assert sidebar["url"] == "https://breather.example.com/apps/zendesk/sidebar"
    freshdesk = zipfile.ZipFile(tmp_path / "breather-freshdesk.zip")
    assert pkg.freshdesk_problems({n: freshdesk.read(n) for n in freshdesk.namelist()}) == []
    assert "app/index.html" in freshdesk.namelist()


def test_packages_are_reproducible(tmp_path):
    """Two builds of the same files give byte-identical zips."""
    assert pkg.zip_bytes(pkg.zendesk_files()) == pkg.zip_bytes(pkg.zendesk_files())


def test_package_refuses_a_plain_http_url(tmp_path):
    result = CliRunner().invoke(main, ["apps", "package", "--out", str(tmp_path),
                                       "--url", "http://breather.example.com"])
    assert result.exit_code != 0 and "https" in result.output


def test_zendesk_manifest_has_what_the_issue_asks():
    """Signed URLs on, a Breather URL parameter, English and German, both logos."""
    files = pkg.zendesk_files()
    manifest = json.loads(files["manifest.json"])
    assert manifest["signedUrls"] is True and manifest["frameworkVersion"] == "2.0"
    assert [p["name"] for p in manifest["parameters"]] == ["breather_url"]
    assert {"translations/en.json", "translations/de.json"} <= set(files)
    assert pkg.png_size(files["assets/logo.png"]) == (320, 320)
    assert pkg.png_size(files["assets/logo-small.png"]) == (128, 128)


def test_logos_are_drawn_by_code():
    """The committed PNGs are exactly what deploy.make_logos draws."""
    pytest.importorskip("PIL")
    from PIL import Image

    spec = importlib.util.spec_from_file_location("make_logos", pkg.DEPLOY / "make_logos.py")
    logos = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(logos)
    for name, size in logos.SIZES.items():
        committed = Image.open(ZENDESK / "assets" / name).convert("RGBA")
        assert committed.tobytes() == logos.draw_logo(size).tobytes(), name


def broken(files: dict, name: str, change) -> dict:
    data = json.loads(files[name])
    change(data)
    return {**files, name: json.dumps(data).encode()}


ZENDESK_BREAKS = [
    ("author", lambda m: m.pop("author"), "author is required"),
    ("framework", lambda m: m.update(frameworkVersion="1.0"), "frameworkVersion"),
    ("unsigned", lambda m: m.update(signedUrls=False), "signedUrls"),
    ("string bool", lambda m: m.update(private="yes"), "private must be a boolean"),
    ("param bool", lambda m: m["parameters"][0].update(secure="no"), "secure must be a boolean"),
    ("http url", lambda m: m["location"]["support"]["ticket_sidebar"].update(
        url="http://breather.example.com/apps/zendesk/sidebar"), "must be https"),
    ("missing asset", lambda m: m["location"]["support"]["ticket_sidebar"].update(
        url="assets/nope.html"), "not a file in assets/"),
    ("locale", lambda m: m.update(defaultLocale="english"), "not a locale"),
]


@pytest.mark.parametrize("name, change, message", ZENDESK_BREAKS,
                         ids=[b[0] for b in ZENDESK_BREAKS])
def test_zendesk_rules_catch_broken_manifests(name, change, message):
    problems = pkg.zendesk_problems(broken(pkg.zendesk_files(), "manifest.json", change))
    assert any(message in p for p in problems), problems


def test_zendesk_rules_catch_translations_and_logos():
    files = pkg.zendesk_files()
    no_name = broken(files, "translations/de.json", lambda t: t["app"].pop("name"))
    assert any("de.json: app.name" in p for p in pkg.zendesk_problems(no_name))
    no_label = broken(files, "translations/en.json",
                      lambda t: t["app"]["parameters"]["breather_url"].pop("label"))
    assert any("breather_url.label" in p for p in pkg.zendesk_problems(no_label))
    small = {**files, "assets/logo.png": files["assets/logo-small.png"]}
    assert any("320x320" in p for p in pkg.zendesk_problems(small))
    no_default = {k: v for k, v in files.items() if k != "translations/en.json"}
    assert any("default locale" in p for p in pkg.zendesk_problems(no_default))


FRESHDESK_BREAKS = [
    ("platform", "manifest.json", lambda m: m.update({"platform-version": "2.3"}),
     "platform-version"),
    ("request names", "manifest.json",
     lambda m: m["modules"]["common"]["requests"].update(other={}), "same templates"),
    ("sidebar", "manifest.json", lambda m: m["modules"].pop("support_ticket"), "ticket_sidebar"),
    ("undeclared iparam", "config/requests.json",
     lambda r: r["breatherSession"]["schema"].update(path="/x/<%= iparam.nope %>"),
     "iparam.nope"),
    ("secure outside headers", "config/requests.json",
     lambda r: r["breatherSession"]["schema"].update(path="/<%= iparam.breather_secret %>"),
     "only be used in headers"),
    ("http", "config/requests.json",
     lambda r: r["breatherSession"]["schema"].update(protocol="http"), "https"),
]


@pytest.mark.parametrize("name, target, change, message", FRESHDESK_BREAKS,
                         ids=[b[0] for b in FRESHDESK_BREAKS])
def test_freshdesk_rules_catch_broken_apps(name, target, change, message):
    files = broken(pkg.app_files(FRESHDESK), target, change)
    problems = pkg.freshdesk_problems(files)
    assert any(message in p for p in problems), problems


def test_freshdesk_rules_catch_missing_files():
    files = pkg.app_files(FRESHDESK)
    no_client = {**files, "app/index.html": b"<html><body>no app client</body></html>"}
    assert any("appclient" in p for p in pkg.freshdesk_problems(no_client))
    no_iparams = {k: v for k, v in files.items() if k != "config/iparams.json"}
    assert any("iparams.json is missing" in p for p in pkg.freshdesk_problems(no_iparams))
    bad_icon = {**files, "app/styles/images/icon.svg": b"<svg"}
    assert any("not valid SVG" in p for p in pkg.freshdesk_problems(bad_icon))


def test_check_lists_every_problem():
    files = broken(pkg.zendesk_files(), "manifest.json",
                   lambda m: m.update(signedUrls=False, frameworkVersion="1"))
    with pytest.raises(pkg.PackageError) as caught:
        pkg.check("zendesk", files)
    assert "signedUrls" in str(caught.value) and "frameworkVersion" in str(caught.value)


def test_zip_holds_files_at_the_root():
    archive = zipfile.ZipFile(io.BytesIO(pkg.zip_bytes(pkg.zendesk_files())))
    assert "manifest.json" in archive.namelist()


def test_pair_command_prints_a_code_for_freshdesk_agents(monkeypatch):
    """`breather apps pair freshdesk:7` prints a code the strict mode accepts; others refused."""
    from service import app_identity

    monkeypatch.setenv("BREATHER_SECRET", "pair-secret")
    result = CliRunner().invoke(main, ["apps", "pair", "freshdesk:7"])
    assert result.exit_code == 0, result.output
    data = app_identity.unsign("pair-secret", "pairing", result.output.strip(), 60)
    assert data == {"agent": "freshdesk:7"}
    refused = CliRunner().invoke(main, ["apps", "pair", "zendesk:7"])
    assert refused.exit_code != 0 and "Freshdesk agent id" in refused.output
