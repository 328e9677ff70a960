// drive.mjs drives mockcloud's Fastly fake with the official fastly npm
// client, the way a deploy script would: it creates a service, configures
// version 1, activates it, clones and re-activates, purges, and prints one
// JSON document with what the client saw. ../fastly_test.go runs it and
// checks both that document and the fake's state.
//
//   node drive.mjs <base-url> <api-key>
//   FASTLY_BASE_URL=... FASTLY_API_TOKEN=... node drive.mjs
//
// The client hard-codes https://api.fastly.com in every operation, so a
// superagent plugin rewrites each request's URL to the fake.
import fastly from "fastly";

const base = (process.argv[2] || process.env.FASTLY_BASE_URL || "").replace(/\/+$/, "");
const key = process.argv[3] || process.env.FASTLY_API_TOKEN;
if (!base || !key) {
  console.error("usage: node drive.mjs <base-url> <api-key>");
  process.exit(2);
}

const client = fastly.ApiClient.instance;
client.authenticate(key);
client.plugins = [
  (req) => {
    req.url = req.url.replace(/^https:\/\/api\.fastly\.com/, base);
  },
];

const api = {
  customer: new fastly.CustomerApi(),
  user: new fastly.UserApi(),
  tokens: new fastly.TokensApi(),
  service: new fastly.ServiceApi(),
  version: new fastly.VersionApi(),
  domain: new fastly.DomainApi(),
  backend: new fastly.BackendApi(),
  healthcheck: new fastly.HealthcheckApi(),
  condition: new fastly.ConditionApi(),
  header: new fastly.HeaderApi(),
  cache: new fastly.CacheSettingsApi(),
  responseObject: new fastly.ResponseObjectApi(),
  gzip: new fastly.GzipApi(),
  settings: new fastly.SettingsApi(),
  snippet: new fastly.SnippetApi(),
  dictionary: new fastly.DictionaryApi(),
  dictionaryItem: new fastly.DictionaryItemApi(),
  syslog: new fastly.LoggingSyslogApi(),
  purge: new fastly.PurgeApi(),
};

// failure turns a rejected call into {status, body}: what a caller sees.
async function failure(promise) {
  try {
    await promise;
    return { status: 0, body: "unexpectedly succeeded" };
  } catch (e) {
    return { status: e.status || 0, body: e.body || String(e.error || e) };
  }
}

const out = {};

const customer = await api.customer.getLoggedInCustomer();
const user = await api.user.getCurrentUser();
const token = await api.tokens.getTokenCurrent();
out.account = { customer_id: customer.id, user_customer_id: user.customer_id, token_scope: token.scope };

const created = await api.service.createService({ name: "js-demo", comment: "created by fastly-js" });
const service_id = created.id;
out.service = { id: service_id, name: created.name, type: created.type, versions: created.versions.map((v) => v.number) };

const found = await api.service.searchService({ name: "js-demo" });
const listed = await api.service.listServices({ page: 1, per_page: 10, direction: "ascend" });
out.lookup = { search_id: found.id, listed: listed.map((s) => s.name) };

const v1 = { service_id, version_id: 1 };
const domain = await api.domain.createDomain({ ...v1, name: "www.example.com", comment: "primary" });
await api.healthcheck.createHealthcheck({ ...v1, name: "origin-health", path: "/healthz", host: "origin.example.com", check_interval: 15000 });
const backend = await api.backend.createBackend({
  ...v1, name: "origin", address: "origin.example.com", port: 443, use_ssl: true, healthcheck: "origin-health",
});
await api.condition.createCondition({ ...v1, name: "is-api", statement: 'req.url ~ "^/api/"', type: "REQUEST", priority: 10 });
await api.header.createHeaderObject({ ...v1, name: "strip-cookie", action: "delete", type: "request", dst: "http.Cookie", request_condition: "is-api" });
const cache = await api.cache.createCacheSettings({ ...v1, name: "short", action: "cache", ttl: 60, stale_ttl: 300 });
const ro = await api.responseObject.createResponseObject({
  ...v1, create_response_object_request: { name: "teapot", status: "418", response: "I'm a teapot", content: "short and stout", content_type: "text/plain" },
});
await api.gzip.createGzipConfig({ ...v1, name: "text", content_types: "text/html text/css", extensions: "html css" });
const settings = await api.settings.updateServiceSettings({ ...v1, general_default_ttl: 600 });
const snippet = await api.snippet.createSnippet({ ...v1, name: "flags", type: "recv", dynamic: "1", content: "# v1", priority: "50" });
const dict = await api.dictionary.createDictionary({ ...v1, name: "redirects" });
await api.dictionaryItem.createDictionaryItem({ service_id, dictionary_id: dict.id, item_key: "/old", item_value: "/new" });
await api.dictionaryItem.bulkUpdateDictionaryItem({
  service_id, dictionary_id: dict.id,
  bulk_update_dictionary_list_request: { items: [{ op: "upsert", item_key: "/a", item_value: "/b" }, { op: "create", item_key: "/c", item_value: "/d" }] },
});
const items = await api.dictionaryItem.listDictionaryItems({ service_id, dictionary_id: dict.id, per_page: 2, page: 1, sort: "item_key" });
const syslog = await api.syslog.createLogSyslog({ ...v1, name: "audit", address: "logs.example.com", port: 6514, use_tls: "1" });
const domains = await api.domain.listDomains(v1);
const checked = await api.domain.checkDomains(v1);
out.config = {
  domain: domain.name, domain_version: domain.version, backend_port: backend.port, backend_ssl: backend.use_ssl,
  backend_hostname: backend.hostname, cache_ttl: cache.ttl, response_status: ro.status, default_ttl: settings["general.default_ttl"],
  snippet_dynamic: snippet.dynamic, dictionary: dict.name, items: items.map((i) => `${i.item_key}=${i.item_value}`),
  syslog_port: syslog.port, domains: domains.map((d) => d.name), check_all: checked.map((c) => [c[0].name, c[2]]),
};

const valid = await api.version.validateServiceVersion(v1);
const activated = await api.version.activateServiceVersion(v1);
out.activate1 = { validate: valid.status, active: activated.active, locked: activated.locked };

// A locked version cannot be edited: the client sees Fastly's error.
out.edit_locked = await failure(api.domain.createDomain({ ...v1, name: "late.example.com" }));
// Unknown services and versions are 404s.
out.missing_version = await failure(api.version.getServiceVersion({ service_id, version_id: 99 }));
out.missing_service = await failure(api.service.getService({ service_id: "nosuchservice" }));

const cloned = await api.version.cloneServiceVersion(v1);
const v2 = { service_id, version_id: cloned.number };
const updated = await api.backend.updateBackend({ ...v2, backend_name: "origin", first_byte_timeout: 30000 });
await api.domain.createDomain({ ...v2, name: "api.example.com" });
await api.version.activateServiceVersion(v2);
const detail = await api.service.getServiceDetail({ service_id });
out.activate2 = {
  cloned: cloned.number, first_byte_timeout: updated.first_byte_timeout,
  active_version: detail.active_version.number, detail_domains: detail.active_version.domains.map((d) => d.name),
  versions: detail.versions.map((v) => [v.number, v.active, v.locked]),
};

const all = await api.purge.purgeAll({ service_id });
const one = await api.purge.purgeTag({ service_id, surrogate_key: "product-42" });
const batch = await api.purge.bulkPurgeTag({ service_id, purge_response: { surrogate_keys: ["a", "b"] } });
const url = await api.purge.purgeSingleUrl({ cached_url: "www.example.com/index.html", fastly_soft_purge: 1 });
out.purge = { all: all.status, one: one.status, one_has_id: Boolean(one.id), batch: Object.keys(batch).sort(), url: url.status };

const doomed = await api.service.createService({ name: "js-doomed" });
const deleted = await api.service.deleteService({ service_id: doomed.id });
out.delete = { status: deleted.status, then: await failure(api.service.getService({ service_id: doomed.id })) };

console.log(JSON.stringify(out));
