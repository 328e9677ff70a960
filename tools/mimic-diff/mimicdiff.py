#!/usr/bin/env python3
"""Differential test: one Rackspace scenario against Mimic and against
`mockcloud -profile mimic`, comparing statuses and JSON key paths.

    python3 tools/mimic-diff/mimicdiff.py --mimic http://127.0.0.1:8911 \
        --mockcloud http://127.0.0.1:8912 [--json report.json] [--verbose]

Both servers must be fresh (nothing created yet) and frozen (Mimic always
is; run mockcloud with -frozen). The scenario authenticates, drives Nova
(CRUD, actions, metadata, images, flavors, limits, keypairs), the presets
document, both behavior APIs (Nova's creation behaviors, identity's
authentication behaviors), Nova's attributes and CLB's attributes, the
tick, Cloud Load Balancers with nodes and a health monitor, and Fastly's
flow. A step matches when both answer the same status and every key path
of Mimic's JSON answer (with its JSON type; null matches anything) is in
mockcloud's; key paths mockcloud adds are reported but do not count.

Standard library only; not part of `make test` (it needs Mimic running).
"""

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

REGION = "ORD"
# A well-formed public key (made for this script; it opens nothing).
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHAPOZGdmg5lz8w71JtabtkcKxioztaQsGCbI2fG1YUc mimicdiff"


class Target:
    """One server under test: its base URL, the endpoints its catalog
    gives, and the steps recorded against it."""

    def __init__(self, name, base):
        self.name, self.base = name, base.rstrip("/")
        self.steps = []  # (step name, status, body or None)
        self.token = None
        self.urls = {}

    def request(self, method, url, body=None, headers=None, form=None):
        hdrs = {"Accept": "application/json"}
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        if not url.startswith("http"):
            url = self.base + url
        req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=20) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        try:
            parsed = json.loads(raw) if raw.strip() else None
        except ValueError:
            parsed = None
        return status, parsed

    def step(self, name, method, url, body=None, headers=None, form=None):
        status, parsed = self.request(method, url, body, headers, form)
        self.steps.append((name, status, parsed))
        return status, parsed


def key_paths(value, prefix=""):
    """The JSON key paths of value with the type at each: lists collapse to
    "[]"; object members whose names are data (metadata keys, IDs) are
    kept as they are, so a scenario uses fixed names for them."""
    out = {}
    if isinstance(value, dict):
        out[prefix or "."] = "object"
        for k, v in value.items():
            out.update(key_paths(v, prefix + "." + k))
    elif isinstance(value, list):
        out[prefix or "."] = "array"
        for v in value:
            out.update(key_paths(v, prefix + "[]"))
    elif value is None:
        out[prefix or "."] = "null"
    elif isinstance(value, bool):
        out[prefix or "."] = "boolean"
    elif isinstance(value, (int, float)):
        out[prefix or "."] = "number"
    else:
        out[prefix or "."] = "string"
    return out


def endpoint(access, name):
    for svc in access["serviceCatalog"]:
        if svc["name"] == name:
            for ep in svc["endpoints"]:
                if ep.get("region") in (REGION, "", None):
                    return ep["publicURL"]
            return svc["endpoints"][0]["publicURL"]
    raise KeyError(name)


def nova_body(name, image="arbitrary-image-ref", flavor="arbitrary-flavor-ref", metadata=None):
    server = {"name": name, "imageRef": image, "flavorRef": flavor}
    if metadata is not None:
        server["metadata"] = metadata
    return {"server": server}


def scenario(t):
    """The scenario, run against one target. Every request is a step."""
    auth = {"auth": {"passwordCredentials": {"username": "mimicdiff", "password": "pw"}}}
    st, body = t.step("identity: authenticate", "POST", "/identity/v2.0/tokens", auth)
    access = body["access"]
    t.token = access["token"]["id"]
    tenant = access["token"]["tenant"]["id"]
    nova = endpoint(access, "cloudServersOpenStack")
    nova_ctl = endpoint(access, "cloudServersBehavior")
    clb = endpoint(access, "cloudLoadBalancers")
    clb_ctl = endpoint(access, "cloudLoadBalancerControl")
    fastly = t.base + "/fastly"
    tok = {"X-Auth-Token": t.token}

    t.step("identity: authenticate again with the same tenantId", "POST", "/identity/v2.0/tokens",
           {"auth": {"passwordCredentials": {"username": "mimicdiff", "password": "pw"}, "tenantId": tenant}})
    t.step("identity: authenticate with another user's tenantId", "POST", "/identity/v2.0/tokens",
           {"auth": {"passwordCredentials": {"username": "mimicdiff", "password": "pw"}, "tenantId": "not-" + tenant}})
    t.step("identity: API key credentials", "POST", "/identity/v2.0/tokens",
           {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "mimicdiff", "apiKey": "k"}}})
    t.step("identity: validate the token", "GET", "/identity/v2.0/tokens/" + t.token, headers=tok)
    t.step("identity: list tenants", "GET", "/identity/v2.0/tenants", headers=tok)
    t.step("identity: authenticate with no body", "POST", "/identity/v2.0/tokens", {})

    # Identity's behavior API (Mimic's /mimic/v1.1/IdentityControlAPI).
    st, beh = t.step("identity behavior: register a failing auth", "POST",
                     "/mimic/v1.1/IdentityControlAPI/behaviors/auth",
                     {"criteria": [{"username": "failme"}], "name": "fail",
                      "parameters": {"code": 500, "message": "Auth failure", "type": "identityFault"}})
    t.step("identity behavior: the failing auth", "POST", "/identity/v2.0/tokens",
           {"auth": {"passwordCredentials": {"username": "failme", "password": "pw"}}})
    if isinstance(beh, dict) and "id" in beh:
        t.step("identity behavior: delete it", "DELETE",
               "/mimic/v1.1/IdentityControlAPI/behaviors/auth/" + beh["id"])

    t.step("presets", "GET", "/mimic/v1.0/presets")

    # Nova, without a token as Mimic-based suites send it.
    st, created = t.step("nova: create with arbitrary refs, no token", "POST", nova + "/servers",
                         nova_body("srv-1"))
    sid = created["server"]["id"] if isinstance(created, dict) and "server" in created else "none"
    t.step("nova: get the new server (ACTIVE at once)", "GET", nova + "/servers/" + sid)
    t.step("nova: list servers", "GET", nova + "/servers")
    t.step("nova: list servers in detail", "GET", nova + "/servers/detail")
    t.step("nova: list by name", "GET", nova + "/servers/detail?name=srv-1")
    t.step("nova: server ips", "GET", nova + "/servers/" + sid + "/ips")
    t.step("nova: metadata", "GET", nova + "/servers/" + sid + "/metadata")
    t.step("nova: set metadata", "PUT", nova + "/servers/" + sid + "/metadata",
           {"metadata": {"role": "web"}})
    t.step("nova: set one metadata item", "PUT", nova + "/servers/" + sid + "/metadata/tier",
           {"meta": {"tier": "front"}})
    too_many = {"k%d" % i: "v" for i in range(41)}
    t.step("nova: 41 metadata items", "PUT", nova + "/servers/" + sid + "/metadata", {"metadata": too_many})
    t.step("nova: create with 41 metadata items", "POST", nova + "/servers",
           nova_body("srv-md", metadata=too_many))
    t.step("nova: create with 40 metadata items", "POST", nova + "/servers",
           nova_body("srv-md40", metadata={"k%d" % i: "v" for i in range(40)}))
    for n in range(2, 13):
        t.step("nova: create server %d of 12" % n, "POST", nova + "/servers", nova_body("many-%d" % n))
    t.step("nova: list after 12 creates", "GET", nova + "/servers/detail")

    t.step("nova: resize", "POST", nova + "/servers/" + sid + "/action", {"resize": {"flavorRef": "any-other"}})
    t.step("nova: get after resize (VERIFY_RESIZE)", "GET", nova + "/servers/" + sid)
    t.step("nova: confirm resize", "POST", nova + "/servers/" + sid + "/action", {"confirmResize": None})
    t.step("nova: rescue", "POST", nova + "/servers/" + sid + "/action", {"rescue": None})
    t.step("nova: get after rescue (RESCUE)", "GET", nova + "/servers/" + sid)
    t.step("nova: unrescue", "POST", nova + "/servers/" + sid + "/action", {"unrescue": None})
    t.step("nova: soft reboot", "POST", nova + "/servers/" + sid + "/action", {"reboot": {"type": "SOFT"}})
    t.step("nova: get while rebooting", "GET", nova + "/servers/" + sid)
    t.step("tick: 5 seconds", "POST", "/mimic/v1.1/tick", {"amount": 5})
    t.step("nova: get after the reboot", "GET", nova + "/servers/" + sid)
    t.step("nova: reboot without a type", "POST", nova + "/servers/" + sid + "/action", {"reboot": {}})
    t.step("nova: change password", "POST", nova + "/servers/" + sid + "/action",
           {"changePassword": {"adminPass": "s3cret"}})
    t.step("nova: rebuild", "POST", nova + "/servers/" + sid + "/action", {"rebuild": {"imageRef": "another"}})
    t.step("tick: 5 seconds after rebuild", "POST", "/mimic/v1.1/tick", {"amount": 5})
    t.step("nova: create image", "POST", nova + "/servers/" + sid + "/action", {"createImage": {"name": "snap"}})

    t.step("nova: image by ID (invalid_image_ref preset)", "GET", nova + "/images/INVALID-IMAGE-ID")
    t.step("nova: image ending in Z", "GET", nova + "/images/imageZ")
    t.step("nova: list images", "GET", nova + "/images")
    t.step("nova: list images in detail", "GET", nova + "/images/detail")
    t.step("nova: list flavors", "GET", nova + "/flavors")
    t.step("nova: list flavors in detail", "GET", nova + "/flavors/detail")
    t.step("nova: limits", "GET", nova + "/limits")
    t.step("nova: create keypair with a malformed public key", "POST", nova + "/os-keypairs",
           {"keypair": {"name": "kp0", "public_key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC mimicdiff"}})
    t.step("nova: create keypair", "POST", nova + "/os-keypairs",
           {"keypair": {"name": "kp1", "public_key": PUBLIC_KEY}})
    t.step("nova: list keypairs", "GET", nova + "/os-keypairs")
    t.step("nova: delete keypair", "DELETE", nova + "/os-keypairs/kp1")

    # Presets by metadata.
    st, b = t.step("nova: create with server_building 30", "POST", nova + "/servers",
                   nova_body("building", metadata={"server_building": "30"}))
    bid = b["server"]["id"] if isinstance(b, dict) and "server" in b else "none"
    t.step("nova: building server (BUILD)", "GET", nova + "/servers/" + bid)
    t.step("tick: 30 seconds", "POST", "/mimic/v1.1/tick", {"amount": 30})
    t.step("nova: built server (ACTIVE)", "GET", nova + "/servers/" + bid)
    st, b = t.step("nova: create with server_error", "POST", nova + "/servers",
                   nova_body("err", metadata={"server_error": "1"}))
    eid = b["server"]["id"] if isinstance(b, dict) and "server" in b else "none"
    t.step("nova: errored server (ERROR)", "GET", nova + "/servers/" + eid)
    t.step("nova: create_server_failure preset", "POST", nova + "/servers",
           nova_body("fail", metadata={"create_server_failure": json.dumps({"message": "boom", "code": 500})}))
    st, b = t.step("nova: create with delete_server_failure", "POST", nova + "/servers",
                   nova_body("undeletable", metadata={"delete_server_failure": json.dumps({"code": 500, "times": 1})}))
    uid = b["server"]["id"] if isinstance(b, dict) and "server" in b else "none"
    t.step("nova: delete fails once", "DELETE", nova + "/servers/" + uid)
    t.step("nova: delete succeeds", "DELETE", nova + "/servers/" + uid)

    # Nova's behavior API and attributes.
    st, beh = t.step("nova behavior: register a failing create", "POST", nova_ctl + "/behaviors/creation",
                     {"criteria": [{"server_name": "behave.*"}], "name": "fail",
                      "parameters": {"code": 503, "message": "behaved"}})
    t.step("nova behavior: the failing create", "POST", nova + "/servers", nova_body("behave-1"))
    t.step("nova behavior: another name is not affected", "POST", nova + "/servers", nova_body("other-1"))
    if isinstance(beh, dict) and "id" in beh:
        t.step("nova behavior: delete it", "DELETE", nova_ctl + "/behaviors/creation/" + beh["id"])
    t.step("nova behavior: create after deleting it", "POST", nova + "/servers", nova_body("behave-2"))
    t.step("nova behavior: register a building behavior", "POST", nova_ctl + "/behaviors/creation",
           {"criteria": [{"server_name": "slow.*"}], "name": "build", "parameters": {"duration": 10}})
    st, b = t.step("nova behavior: a slow create", "POST", nova + "/servers", nova_body("slow-1"))
    slow = b["server"]["id"] if isinstance(b, dict) and "server" in b else "none"
    t.step("nova behavior: the slow server (BUILD)", "GET", nova + "/servers/" + slow)
    t.step("nova attributes: set ERROR", "POST", nova_ctl + "/attributes/", {"status": {sid: "ERROR"}})
    t.step("nova attributes: the server (ERROR)", "GET", nova + "/servers/" + sid)

    t.step("nova: delete", "DELETE", nova + "/servers/" + sid)
    t.step("nova: get deleted (404 at once)", "GET", nova + "/servers/" + sid)
    t.step("nova: get unknown server", "GET", nova + "/servers/no-such-server")

    # Cloud Load Balancers.
    lb_body = {"loadBalancer": {"name": "lb-1", "protocol": "HTTP", "port": 80,
                                "virtualIps": [{"type": "PUBLIC"}],
                                "nodes": [{"address": "10.1.1.1", "port": 80, "condition": "ENABLED"}]}}
    st, b = t.step("clb: create, no token", "POST", clb + "/loadbalancers", lb_body)
    lid = str(b["loadBalancer"]["id"]) if isinstance(b, dict) and "loadBalancer" in b else "0"
    t.step("clb: get (ACTIVE at once)", "GET", clb + "/loadbalancers/" + lid)
    t.step("clb: list", "GET", clb + "/loadbalancers")
    t.step("clb: list nodes", "GET", clb + "/loadbalancers/" + lid + "/nodes")
    st, b = t.step("clb: add nodes", "POST", clb + "/loadbalancers/" + lid + "/nodes",
                   {"nodes": [{"address": "10.1.1.2", "port": 80, "condition": "ENABLED", "type": "PRIMARY",
                               "weight": 1}]})
    nid = str(b["nodes"][0]["id"]) if isinstance(b, dict) and b.get("nodes") else "0"
    t.step("clb: get after adding nodes", "GET", clb + "/loadbalancers/" + lid)
    t.step("clb: get node", "GET", clb + "/loadbalancers/" + lid + "/nodes/" + nid)
    t.step("clb: update node", "PUT", clb + "/loadbalancers/" + lid + "/nodes/" + nid,
           {"node": {"condition": "DRAINING"}})
    t.step("clb: get health monitor (none)", "GET", clb + "/loadbalancers/" + lid + "/healthmonitor")
    t.step("clb: set health monitor", "PUT", clb + "/loadbalancers/" + lid + "/healthmonitor",
           {"healthMonitor": {"type": "CONNECT", "delay": 10, "timeout": 5, "attemptsBeforeDeactivation": 3}})
    t.step("clb: get health monitor", "GET", clb + "/loadbalancers/" + lid + "/healthmonitor")
    t.step("clb: delete health monitor", "DELETE", clb + "/loadbalancers/" + lid + "/healthmonitor")
    t.step("clb: delete node", "DELETE", clb + "/loadbalancers/" + lid + "/nodes/" + nid)
    t.step("clb: node feed", "GET", clb + "/loadbalancers/" + lid + "/nodes/" + nid + ".atom")
    t.step("clb attributes: set ERROR", "PATCH", clb_ctl + "/loadbalancer/" + lid + "/attributes",
           {"status": "ERROR"})
    t.step("clb attributes: the load balancer (ERROR)", "GET", clb + "/loadbalancers/" + lid)
    t.step("clb: delete", "DELETE", clb + "/loadbalancers/" + lid)
    t.step("clb: get deleted", "GET", clb + "/loadbalancers/" + lid)
    st, b = t.step("clb: create with lb_pending_delete", "POST", clb + "/loadbalancers",
                   {"loadBalancer": dict(lb_body["loadBalancer"], name="lb-2",
                                         metadata=[{"key": "lb_pending_delete", "value": 1}])})
    pid = str(b["loadBalancer"]["id"]) if isinstance(b, dict) and "loadBalancer" in b else "0"
    t.step("clb: delete the pending-delete one", "DELETE", clb + "/loadbalancers/" + pid)
    t.step("tick: 2 seconds for the pending delete", "POST", "/mimic/v1.1/tick", {"amount": 2})
    t.step("clb: the deleted load balancer (DELETED, virtualIps)", "GET", clb + "/loadbalancers/" + pid)
    t.step("clb: get unknown", "GET", clb + "/loadbalancers/1")

    # Fastly, without a Fastly-Key.
    t.step("fastly: health", "GET", fastly + "/")
    st, cust = t.step("fastly: current customer", "GET", fastly + "/current_customer")
    cid = cust.get("id", "x") if isinstance(cust, dict) else "x"
    st, svc = t.step("fastly: create service", "POST", fastly + "/service",
                     form={"name": "mimicdiff-svc", "customer_id": cid})
    svc_id = svc.get("id", "x") if isinstance(svc, dict) else "x"
    t.step("fastly: search service by name", "GET", fastly + "/service/search?name=mimicdiff-svc")
    st, ver = t.step("fastly: create version", "POST", fastly + "/service/" + svc_id + "/version")
    vnum = "1"
    t.step("fastly: create domain", "POST", fastly + "/service/%s/version/%s/domain" % (svc_id, vnum),
           form={"name": "www.example.com", "comment": ""})
    t.step("fastly: check domains", "GET", fastly + "/service/%s/version/%s/domain/check_all" % (svc_id, vnum))
    t.step("fastly: create backend", "POST", fastly + "/service/%s/version/%s/backend" % (svc_id, vnum),
           form={"name": "origin", "address": "origin.example.com", "port": "443", "use_ssl": "true"})
    t.step("fastly: create condition", "POST", fastly + "/service/%s/version/%s/condition" % (svc_id, vnum),
           form={"name": "cond", "statement": 'req.url ~ "/x"', "priority": "10", "type": "REQUEST"})
    t.step("fastly: create cache settings", "POST",
           fastly + "/service/%s/version/%s/cache_settings" % (svc_id, vnum),
           form={"name": "cache", "ttl": "60", "stale_ttl": "0", "action": "cache"})
    t.step("fastly: create response object", "POST",
           fastly + "/service/%s/version/%s/response_object" % (svc_id, vnum),
           form={"name": "ro", "status": "200", "response": "OK", "content": "hi"})
    t.step("fastly: update settings", "PUT", fastly + "/service/%s/version/%s/settings" % (svc_id, vnum),
           form={"general.default_ttl": "300"})
    t.step("fastly: list versions", "GET", fastly + "/service/%s/version" % svc_id)
    t.step("fastly: activate version", "PUT", fastly + "/service/%s/version/%s/activate" % (svc_id, vnum))
    t.step("fastly: service details", "GET", fastly + "/service/%s/details" % svc_id)
    t.step("fastly: deactivate version", "PUT", fastly + "/service/%s/version/%s/deactivate" % (svc_id, vnum))
    t.step("fastly: delete service", "DELETE", fastly + "/service/%s" % svc_id)


def compare(mimic, mock):
    """Compares the two runs step by step; returns (matches, differences)."""
    matches, diffs = [], []
    mock_steps = {name: (st, body) for name, st, body in mock.steps}
    for name, st, body in mimic.steps:
        if name not in mock_steps:
            diffs.append((name, "step not run against mockcloud (an earlier step failed)"))
            continue
        mst, mbody = mock_steps[name]
        reasons = []
        if st != mst:
            reasons.append("status %d (Mimic) vs %d (mockcloud)" % (st, mst))
        want, got = key_paths(body), key_paths(mbody)
        missing = sorted(p for p in want if p not in got)
        typed = sorted(p for p in want if p in got and "null" not in (want[p], got[p]) and want[p] != got[p])
        if missing:
            reasons.append("mockcloud lacks " + ", ".join(missing[:8]) + (" …" if len(missing) > 8 else ""))
        if typed:
            reasons.append("types differ at " + ", ".join("%s (%s vs %s)" % (p, want[p], got[p]) for p in typed[:8]))
        if reasons:
            diffs.append((name, "; ".join(reasons)))
        else:
            matches.append(name)
    for name, _, _ in mock.steps:
        if name not in {n for n, _, _ in mimic.steps}:
            diffs.append((name, "step not run against Mimic"))
    return matches, diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mimic", default="http://127.0.0.1:8911")
    ap.add_argument("--mockcloud", default="http://127.0.0.1:8912")
    ap.add_argument("--json", help="write the two runs and the comparison here")
    ap.add_argument("--verbose", action="store_true", help="print every step")
    args = ap.parse_args()
    runs = []
    for name, base in (("mimic", args.mimic), ("mockcloud", args.mockcloud)):
        t = Target(name, base)
        try:
            scenario(t)
        except Exception as err:  # report how far it got
            print("%s: scenario stopped after %d steps: %r" % (name, len(t.steps), err), file=sys.stderr)
        runs.append(t)
    matches, diffs = compare(*runs)
    total = len(matches) + len(diffs)
    if args.verbose:
        for name in matches:
            print("same  " + name)
    for name, why in diffs:
        print("DIFF  %s: %s" % (name, why))
    print("%d of %d steps match" % (len(matches), total))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"matches": matches, "differences": diffs,
                       "runs": {t.name: t.steps for t in runs}}, f, indent=1, default=str)
    return 0 if not diffs else 1


if __name__ == "__main__":
    sys.exit(main())
