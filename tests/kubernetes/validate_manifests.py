#!/usr/bin/python3
"""Offline validation of deploy/kubernetes/ (issue #15), with Debian's
python3-kubernetes (22.6: the Kubernetes 1.22 API models) and python3-yaml.

Every manifest document is checked field by field against the API model of its
kind: an unknown or misspelt field fails (the client library's own
deserializer would drop it silently), and complete objects are also built by
the library, which checks required fields and enum values. Kustomizations may
only name files that exist. Then the rules these manifests promise: every
container runs as non-root with a read-only root and all capabilities dropped,
the port in port.yaml agrees with itself and the Service, the pod-network and
host-network servers select different pods, the image tag is the
project's version, the guaranteed overlay asks for whole CPUs with
requests == limits, the client Job passes the downward-API names, and
nperf-mesh's Role grants exactly what the mesh does (issue #16).

Usage: validate_manifests.py REPO_ROOT
"""
import pathlib
import re
import sys

import kubernetes
import yaml
from kubernetes.client import ApiClient

# Kustomization keys these manifests may use (kustomize v3/v4, kubectl >= 1.14).
KUSTOMIZATION_KEYS = {"apiVersion", "kind", "resources", "patchesStrategicMerge", "namespace",
                      "commonLabels", "images", "configMapGenerator"}
# Objects that are patches: partial, so required fields are not checked.
PATCH_FILES = {"port.yaml", "whole-cpus.yaml"}

errors = []


def error(where, message):
    errors.append(f"{where}: {message}")


def model_class(api_version, kind):
    group, _, version = api_version.rpartition("/")
    version_prefix = version.capitalize()
    name = f"{version_prefix}{kind}"
    cls = getattr(kubernetes.client, name, None)
    if cls is None:
        return None, name
    return cls, name


def check_fields(value, type_name, where):
    """Walks value against the model type name used in openapi_types."""
    if value is None:
        return
    if type_name.startswith("list["):
        if not isinstance(value, list):
            error(where, f"expected a list, got {type(value).__name__}")
            return
        for i, item in enumerate(value):
            check_fields(item, type_name[5:-1], f"{where}[{i}]")
        return
    if type_name.startswith("dict("):
        if not isinstance(value, dict):
            error(where, f"expected a map, got {type(value).__name__}")
            return
        inner = type_name[5:-1].split(", ", 1)[1]
        for key, item in value.items():
            check_fields(item, inner, f"{where}.{key}")
        return
    if type_name in ("str", "int", "bool", "float", "object", "datetime", "date"):
        if type_name == "int" and not isinstance(value, int):
            error(where, f"expected an integer, got {value!r}")
        if type_name == "bool" and not isinstance(value, bool):
            error(where, f"expected true/false, got {value!r}")
        if type_name == "str" and not isinstance(value, str):
            error(where, f"expected a string, got {value!r}")
        return
    cls = getattr(kubernetes.client, type_name, None)
    if cls is None:
        error(where, f"unknown model type {type_name}")
        return
    if not isinstance(value, dict):
        error(where, f"expected an object ({type_name}), got {value!r}")
        return
    by_json_name = {json_name: attr for attr, json_name in cls.attribute_map.items()}
    for key, item in value.items():
        if key not in by_json_name:
            error(where, f"unknown field '{key}' in {type_name}")
            continue
        check_fields(item, cls.openapi_types[by_json_name[key]], f"{where}.{key}")


class _Response:  # ApiClient.deserialize reads .data
    def __init__(self, data):
        import json
        self.data = json.dumps(data)


def check_document(doc, where, partial):
    api_version, kind = doc.get("apiVersion"), doc.get("kind")
    if not api_version or not kind:
        error(where, "no apiVersion/kind")
        return
    cls, name = model_class(api_version, kind)
    if cls is None:
        error(where, f"{api_version} {kind} is not a Kubernetes 1.22 API kind ({name})")
        return
    check_fields(doc, name, where)
    if not partial:
        try:
            ApiClient().deserialize(_Response(doc), name)
        except (ValueError, TypeError) as e:
            error(where, f"the {name} model refuses it: {e}")


def containers_of(doc):
    spec = doc.get("spec", {})
    template = spec.get("template") or spec.get("jobTemplate", {}).get("spec", {}).get("template", {})
    return template.get("spec", {}).get("containers", []), template.get("spec", {})


# Issue #16: nperf-mesh lists the server pods and execs clients in them;
# its Role grants exactly that (pods/exec "get": kubectl >= 1.30 over
# WebSockets, see the file).
MESH_RBAC = "deploy/kubernetes/mesh-rbac.yaml"
MESH_GRANTS = {("", "pods", "get"), ("", "pods", "list"), ("", "pods/exec", "create"), ("", "pods/exec", "get")}


def check_mesh_rbac(docs):
    by_kind = {d["kind"]: d for d in docs.get(MESH_RBAC, [])}
    if set(by_kind) != {"ServiceAccount", "Role", "RoleBinding"}:
        error(MESH_RBAC, f"holds {sorted(by_kind)}, not a ServiceAccount, a Role and a RoleBinding")
        return
    for kind, doc in by_kind.items():
        if doc["metadata"].get("namespace") != "nperf":
            error(MESH_RBAC, f"the {kind} is not in namespace nperf")
    grants = {(g, r, v) for rule in by_kind["Role"].get("rules", []) for g in rule.get("apiGroups", [])
              for r in rule.get("resources", []) for v in rule.get("verbs", [])}
    if grants != MESH_GRANTS:
        error(MESH_RBAC, f"the Role grants {sorted(grants)}; nperf-mesh needs exactly {sorted(MESH_GRANTS)}")
    binding, role, account = by_kind["RoleBinding"], by_kind["Role"], by_kind["ServiceAccount"]
    if binding["roleRef"] != {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role["metadata"]["name"]}:
        error(MESH_RBAC, f"the RoleBinding refers to {binding['roleRef']}, not the Role")
    if {"kind": "ServiceAccount", "name": account["metadata"]["name"], "namespace": "nperf"} not in binding.get("subjects", []):
        error(MESH_RBAC, "the RoleBinding does not bind the ServiceAccount")
    # Servers need no API access: `kubectl apply -k` must not create it.
    if "mesh-rbac.yaml" in docs["deploy/kubernetes/kustomization.yaml"][0].get("resources", []):
        error(MESH_RBAC, "is in the kustomization's resources; it is applied on its own")


def main():
    root = pathlib.Path(sys.argv[1])
    deploy = root / "deploy" / "kubernetes"
    version = re.search(r"project\(nperf VERSION ([0-9.]+)", (root / "CMakeLists.txt").read_text()).group(1)
    docs = {}
    files = sorted(deploy.rglob("*.yaml"))
    for path in files:
        rel = str(path.relative_to(root))
        loaded = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
        docs[rel] = loaded
        for i, doc in enumerate(loaded):
            where = f"{rel}#{i}"
            if path.name == "kustomization.yaml":
                unknown = set(doc) - KUSTOMIZATION_KEYS
                if unknown:
                    error(where, f"unknown kustomization keys {sorted(unknown)}")
                for entry in doc.get("resources", []) + doc.get("patchesStrategicMerge", []):
                    target = (path.parent / entry).resolve()
                    if not (target.is_file() or (target / "kustomization.yaml").is_file()):
                        error(where, f"names {entry}, which does not exist")
                continue
            check_document(doc, where, partial=path.name in PATCH_FILES)
            for c in containers_of(doc)[0]:
                cwhere = f"{where} container {c.get('name')}"
                if "image" in c and c["image"] != f"localhost/nperf:{version}":
                    error(cwhere, f"image {c['image']} is not localhost/nperf:{version}")
                if path.name in PATCH_FILES:
                    continue
                sc = c.get("securityContext", {})
                if sc.get("readOnlyRootFilesystem") is not True:
                    error(cwhere, "root file system not read-only")
                if sc.get("allowPrivilegeEscalation") is not False:
                    error(cwhere, "privilege escalation allowed")
                if sc.get("capabilities", {}).get("drop") != ["ALL"]:
                    error(cwhere, "capabilities not all dropped")
            if path.name not in PATCH_FILES and doc.get("kind") in ("DaemonSet", "Job"):
                pod_sc = containers_of(doc)[1].get("securityContext", {})
                if pod_sc.get("runAsNonRoot") is not True or pod_sc.get("runAsUser") != 10001:
                    error(where, "pod does not run as the image's non-root user 10001")

    # The port: one value in port.yaml, for both DaemonSets, matching the Service.
    ports = set()
    for port_doc in docs["deploy/kubernetes/port.yaml"]:
        container = port_doc["spec"]["template"]["spec"]["containers"][0]
        args = container["args"]
        port = int(args[args.index("-p") + 1])
        ports.add(port)
        for p in container["ports"]:
            if p["name"].startswith("nperf-") and p["containerPort"] != port:
                error("port.yaml", f"containerPort {p['containerPort']} differs from -p {port}")
            if p["name"] == "metrics" and p["containerPort"] != int(args[args.index("--metrics") + 1]):
                error("port.yaml", f"metrics port {p['containerPort']} differs from --metrics")
    patched = {d["metadata"]["name"] for d in docs["deploy/kubernetes/port.yaml"]}
    if patched != {"nperf-server", "nperf-server-host"} or len(ports) != 1:
        error("port.yaml", f"must set one port for both DaemonSets, sets {sorted(ports)} for {sorted(patched)}")
    port = min(ports)
    for p in docs["deploy/kubernetes/server-service.yaml"][0]["spec"]["ports"]:
        if p["port"] != port:
            error("server-service.yaml", f"port {p['port']} differs from port.yaml's {port}")
    # Prometheus finds the servers' --metrics port by the usual annotations.
    for ds in (docs["deploy/kubernetes/server-daemonset.yaml"][0], docs["deploy/kubernetes/server-daemonset-host.yaml"][0]):
        notes = ds["spec"]["template"]["metadata"].get("annotations", {})
        args = ds["spec"]["template"]["spec"]["containers"][0]["args"]
        if notes.get("prometheus.io/scrape") != "true" or "--metrics" not in args or \
                notes.get("prometheus.io/port") != args[args.index("--metrics") + 1]:
            error(ds["metadata"]["name"], "not annotated for Prometheus on its --metrics port")
    # Two server variants that never select each other's pods.
    pod_ds = docs["deploy/kubernetes/server-daemonset.yaml"][0]
    host_ds = docs["deploy/kubernetes/server-daemonset-host.yaml"][0]
    if pod_ds["spec"]["selector"] == host_ds["spec"]["selector"]:
        error("server-daemonset-host.yaml", "selects the same pods as server-daemonset.yaml")
    if host_ds["spec"]["template"]["spec"].get("hostNetwork") is not True or \
            pod_ds["spec"]["template"]["spec"].get("hostNetwork"):
        error("server-daemonset*.yaml", "the host variant must use hostNetwork and the pod variant must not")
    # Guaranteed QoS: requests == limits, whole CPUs, for both DaemonSets.
    for whole in docs["deploy/kubernetes/guaranteed/whole-cpus.yaml"]:
        resources = whole["spec"]["template"]["spec"]["containers"][0]["resources"]
        if resources["requests"] != resources["limits"] or \
                not re.fullmatch(r"[1-9][0-9]*", str(resources["limits"]["cpu"])):
            error("guaranteed/whole-cpus.yaml", f"not Guaranteed with whole CPUs: {resources}")
    # The client Job: downward-API names reach the command line.
    job = docs["deploy/kubernetes/client-job.yaml"][0]
    job_container = job["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in job_container["env"]}
    if env.get("NODE_NAME", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") != "spec.nodeName":
        error("client-job.yaml", "NODE_NAME is not the downward API's spec.nodeName")
    if not any("$(NODE_NAME)" in a and "$(POD_NAME)" in a for a in job_container["args"]):
        error("client-job.yaml", "the node and pod names are not passed to nperf")
    if "-J" not in job_container["args"] and "--csv" not in job_container["args"]:
        error("client-job.yaml", "the client prints neither -J nor --csv")

    check_mesh_rbac(docs)

    for e in errors:
        print("FAIL", e)
    checked = sum(len(d) for d in docs.values())
    print(f"validate_manifests: {checked} documents in {len(files)} files against the Kubernetes "
          f"{kubernetes.__version__} (1.22 API) models; {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
