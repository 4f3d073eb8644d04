"""deploy/: the Dockerfile, compose file and Kubernetes manifests are valid and consistent.

Offline, on a clean machine: the compose file is validated against the Compose specification's
JSON schema (vendored with its licence by check-jsonschema), built-in Kubernetes kinds against
the Kubernetes schemas (kubernetes-validate), and KEDA's kinds against the schemas in KEDA's own
CRDs (vendored in tests/schemas/keda/ with their licence). No Docker daemon, no cluster.
"""

from __future__ import annotations

import copy
import importlib.resources
import json
import re
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml
from rq import Queue

from service.cli import COMMANDS
from workers.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
K8S_VERSION = "1.33.0"
SECRET_NAME = "breather-secrets"


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def manifests() -> list[tuple[str, dict]]:
    """Every (file name, document) in deploy/k8s/."""
    found = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        found += [(path.name, doc) for doc in yaml.safe_load_all(path.read_text()) if doc]
    return found


def of_kind(kind: str) -> list[dict]:
    return [doc for _, doc in manifests() if doc["kind"] == kind]


def containers() -> list[dict]:
    pods = [d["spec"]["template"]["spec"] for d in of_kind("Deployment") + of_kind("StatefulSet")]
    return [c for pod in pods for c in pod["containers"]]


def check_command(command: list[str]) -> None:
    """A container command is a real `breather` subcommand or the gunicorn entry point."""
    if command[0] == "breather":
        assert command[1] in COMMANDS, f"`breather {command[1]}` is not a breather command"
        return
    assert command[0] == "gunicorn", f"unexpected command {command}"
    config = command[command.index("-c") + 1]
    assert (ROOT / config).is_file(), f"{config} does not exist"
    module, attr = command[-1].split(":")
    assert attr in (ROOT / (module.replace(".", "/") + ".py")).read_text()


# -- compose ---------------------------------------------------------------------------------
def compose_schema() -> dict:
    vendor = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    return json.loads((vendor / "compose-spec.json").read_text())


def test_compose_file_follows_the_compose_specification():
    jsonschema.validate(compose(), compose_schema())


def test_compose_schema_check_catches_a_mistake():
    """The validator is live: a misspelt service key is refused."""
    broken = copy.deepcopy(compose())
    broken["services"]["worker"]["comand"] = ["breather", "worker"]
    with pytest.raises(jsonschema.ValidationError, match="comand"):
        jsonschema.validate(broken, compose_schema())


def test_compose_redis_keeps_an_append_only_file_on_a_volume():
    redis = compose()["services"]["redis"]
    assert redis["command"][redis["command"].index("--appendonly") + 1] == "yes"
    assert "noeviction" in redis["command"], "RQ's queue must never be evicted"
    assert any(v.endswith(":/data") and not v.startswith(".") for v in redis["volumes"])


def test_compose_runs_service_workers_and_scheduler_from_one_image():
    services = compose()["services"]
    assert services["service"]["command"][0] == "gunicorn"
    assert services["worker"]["command"] == ["breather", "worker"]
    assert services["worker"]["deploy"]["replicas"] >= 2
    assert services["scheduler"]["command"] == ["breather", "scheduler"]
    images = {services[name]["image"] for name in ("service", "worker", "scheduler")}
    assert len(images) == 1
    for name in ("service", "worker", "scheduler"):
        check_command(services[name]["command"])
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"


def test_compose_mounts_only_files_that_exist():
    mounts = [(name, volume.split(":")[0]) for name, service in compose()["services"].items()
              for volume in service.get("volumes", []) if volume.startswith(".")]
    assert mounts
    for name, source in mounts:
        assert (DEPLOY / source).exists(), f"{name} mounts missing deploy/{source[2:]}"


def test_compose_prometheus_scrapes_the_service_and_loads_the_rules():
    config = yaml.safe_load(compose()["configs"]["prometheus_config"]["content"])
    targets = config["scrape_configs"][0]["static_configs"][0]["targets"]
    assert targets == ["service:8000"]
    rules_mount = next(v for v in compose()["services"]["prometheus"]["volumes"]
                       if v.startswith("./prometheus"))
    assert rules_mount.split(":")[1] + "/*.yml" in config["rule_files"]


def test_compose_prometheus_config_passes_promtool(tmp_path):
    """The inline Prometheus config, with deploy/prometheus/rules where compose mounts them."""
    import shutil
    import subprocess

    from servers import require_binary

    content = compose()["configs"]["prometheus_config"]["content"]
    shutil.copytree(DEPLOY / "prometheus/rules", tmp_path / "rules")
    config = tmp_path / "prometheus.yml"
    config.write_text(content.replace("/etc/prometheus/rules/", f"{tmp_path}/rules/"))
    result = subprocess.run([require_binary("promtool"), "check", "config", str(config)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_env_example_is_a_valid_configuration():
    """deploy/breather.env.example, as compose reads it, passes Settings.from_env."""
    env = {}
    for line in (DEPLOY / "breather.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    env["REDIS_URL"] = compose()["x-breather"]["environment"]["REDIS_URL"]
    settings = Settings.from_env(env)
    assert settings.zendesk is not None and settings.redis_url == "redis://redis:6379/0"


# -- Dockerfile ------------------------------------------------------------------------------
def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile as stages of (instruction, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, args = line.partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        stages[-1].append((instruction.upper(), args.strip()))
    return stages


def test_dockerfile_has_a_build_stage_and_a_slim_runtime_without_compilers():
    stages = dockerfile_stages()
    assert len(stages) >= 2, "multi-stage: compilers stay in the build stage"
    final = stages[-1]
    base = final[0][1].split()[0]
    assert re.fullmatch(r"python:3\.11[\w.-]*-slim[\w.-]*", base), base
    runs = " ".join(args for ins, args in final if ins == "RUN")
    for compiler in ("build-essential", "gcc", "g++", "clang", "make"):
        assert compiler not in runs.split(), f"{compiler} installed in the final stage"
    assert any(ins == "COPY" and "--from=build" in args for ins, args in final)


def test_dockerfile_runs_as_a_non_root_user():
    users = [args for ins, args in dockerfile_stages()[-1] if ins == "USER"]
    assert users, "the final stage sets USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")


def test_dockerfile_default_command_is_the_gunicorn_service():
    final = dockerfile_stages()[-1]
    cmd = json.loads(next(args for ins, args in final if ins == "CMD"))
    check_command(cmd)
    copied = " ".join(args for ins, args in final if ins == "COPY")
    for path in ("deploy/wsgi.py", "deploy/gunicorn.conf.py"):
        assert path in copied


def test_dockerfile_copies_every_package_the_project_installs():
    from tomllib import loads

    build = dockerfile_stages()[0]
    copied = {args.split()[0] for ins, args in build if ins == "COPY"}
    find = loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    for package in find["include"]:
        assert package.rstrip("*") in copied, f"{package} is installed but not copied"


# -- Kubernetes ------------------------------------------------------------------------------
def crd_schema(kind: str) -> dict:
    name = {"ScaledObject": "scaledobjects", "TriggerAuthentication": "triggerauthentications"}
    crd = yaml.safe_load((ROOT / f"tests/schemas/keda/keda.sh_{name[kind]}.yaml").read_text())
    version = next(v for v in crd["spec"]["versions"] if v["storage"])
    return version["schema"]["openAPIV3Schema"]


def validate_manifest(doc: dict) -> None:
    if doc["apiVersion"].startswith("keda.sh/"):
        jsonschema.validate(doc, crd_schema(doc["kind"]))
    else:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


@pytest.mark.parametrize("name,doc", manifests(),
                         ids=[f"{n}:{d['kind']}:{d['metadata']['name']}" for n, d in manifests()])
def test_manifest_is_valid(name, doc):
    validate_manifest(doc)


def test_manifest_validation_catches_mistakes():
    """Both validators are live: a wrong field type and an unknown field are refused."""
    deployment = copy.deepcopy(of_kind("Deployment")[0])
    deployment["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_manifest(deployment)
    scaled = copy.deepcopy(of_kind("ScaledObject")[0])
    scaled["spec"]["minReplicaCount"] = "one"
    with pytest.raises(jsonschema.ValidationError):
        validate_manifest(scaled)


def test_manifest_kinds_cover_the_deployment():
    kinds = {doc["kind"] for _, doc in manifests()}
    assert {"Deployment", "Service", "PodDisruptionBudget", "ScaledObject",
            "NetworkPolicy"} <= kinds
    assert "Secret" not in kinds, "secrets are referenced, never kept in the repository"


def test_keda_scales_workers_on_rqs_queue_list(redis):
    scaled = of_kind("ScaledObject")[0]
    queue_name = of_kind("ConfigMap")[0]["data"]["BREATHER_QUEUE"]
    trigger = scaled["spec"]["triggers"][0]
    assert trigger["type"] == "redis"
    assert trigger["metadata"]["listName"] == Queue(queue_name, connection=redis).key
    workers = [d for d in of_kind("Deployment")
               if d["spec"]["template"]["spec"]["containers"][0]["command"][1:] == ["worker"]]
    assert scaled["spec"]["scaleTargetRef"]["name"] == workers[0]["metadata"]["name"]
    auth = {d["metadata"]["name"] for d in of_kind("TriggerAuthentication")}
    assert trigger["authenticationRef"]["name"] in auth


def test_service_probes_healthz_and_a_budget_protects_it():
    service = next(d for d in of_kind("Deployment")
                   if d["spec"]["template"]["spec"]["containers"][0]["command"][0] == "gunicorn")
    container = service["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    pdb = of_kind("PodDisruptionBudget")[0]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= \
        service["spec"]["template"]["metadata"]["labels"].items()
    assert service["spec"]["replicas"] > pdb["spec"]["minAvailable"]


def test_every_container_runs_a_real_command_as_non_root():
    for deployment in of_kind("Deployment") + of_kind("StatefulSet"):
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
    for container in containers():
        if "command" in container:
            check_command(container["command"])


def test_secrets_are_referenced_from_one_secret_documented_in_the_namespace_file():
    documented = set(re.findall(r"--from-literal=([\w-]+)=",
                                (DEPLOY / "k8s/namespace.yaml").read_text()))
    refs = [env["valueFrom"]["secretKeyRef"] for c in containers() for env in c.get("env", [])
            if "secretKeyRef" in env.get("valueFrom", {})]
    refs += [t for a in of_kind("TriggerAuthentication") for t in a["spec"]["secretTargetRef"]]
    assert refs
    for ref in refs:
        assert ref["name"] == SECRET_NAME and ref["key"] in documented, ref
    for container in containers():
        for env in container.get("env", []):
            assert "value" not in env or not re.search(r"secret|token|key|password",
                                                       env["name"], re.I), env["name"]


def test_network_policy_denies_by_default():
    policies = of_kind("NetworkPolicy")
    deny = [p for p in policies if p["spec"]["podSelector"] == {}]
    assert deny and set(deny[0]["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny[0]["spec"] and "egress" not in deny[0]["spec"]

