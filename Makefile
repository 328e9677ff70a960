# The one command that runs every test: `make test`.
# It installs the npm clients the interop tests drive (the fastly package,
# the triton CLI) when npm is present (a test whose client is missing skips,
# saying why), then runs every Go test of the four modules (root, examples,
# gophercloudkit, deploy/helmtest: the Helm chart's rendering) with the race
# detector.

.PHONY: test npm-clients

test: npm-clients
	go test -race -count=1 ./... ./examples/... ./gophercloudkit/... ./deploy/helmtest/...

npm-clients:
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix examples/fastly-js --no-audit --no-fund --loglevel=error >/dev/null \
		|| { echo "npm ci failed: the fastly npm client test will be skipped"; rm -rf examples/fastly-js/node_modules; }; \
		npm ci --prefix examples/triton-cli --no-audit --no-fund --loglevel=error >/dev/null \
		|| { echo "npm ci failed: the triton CLI test will be skipped"; rm -rf examples/triton-cli/node_modules; }; \
	else \
		echo "npm not found: the fastly npm client and triton CLI tests will be skipped"; \
	fi
