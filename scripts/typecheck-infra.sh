#!/usr/bin/env bash
# Type-checks sst.config.ts offline: `sst install` unpacks SST's platform and its Pulumi providers
# from npm into .sst/ (about 300 MB, once), then TypeScript checks the config against them.
# Deploying needs an AWS account and is not done here.
set -euo pipefail
cd "$(dirname "$0")/.."
export SST_TELEMETRY_DISABLED=1 SST_SKIP_DEPENDENCY_CHECK=true SST_NO_BUN=true SST_STAGE="${SST_STAGE:-dev}"
[ -f .sst/platform/config.d.ts ] || npx sst install
.sst/platform/node_modules/.bin/tsc -p tsconfig.sst.json
echo "sst.config.ts type-checks"
