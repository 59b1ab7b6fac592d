// The floor under bench:cli's CLI figure: Node.js starting and sending one HTTPS request, nothing else
// (no kubeconfig, no argument parsing). Arguments: METHOD URL CA_FILE TOKEN [BODY_FILE]; exit 0 on a 2xx.
// Plain JavaScript, since type stripping would add its own start-up; node:https through
// getBuiltinModule, since an `import` of it builds a facade that also loads Node's bundled undici.
const { request } = process.getBuiltinModule('node:https');
const { readFileSync } = process.getBuiltinModule('node:fs');

const [method, url, caFile, token, bodyFile] = process.argv.slice(2);
const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
if (bodyFile) headers['content-type'] = 'application/json';
const req = request(url, { method, headers, ca: readFileSync(caFile) }, (response) => {
  response.resume();
  response.on('end', () => {
    process.exitCode = response.statusCode >= 200 && response.statusCode < 300 ? 0 : 1;
  });
});
req.on('error', (error) => {
  console.error(error.message);
  process.exitCode = 1;
});
req.end(bodyFile ? readFileSync(bodyFile) : undefined);
