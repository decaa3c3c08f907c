// A local OpenID Connect provider for the members' login tests: `node server.mjs PORT EMAIL_FILE`.
// Every sign-in is granted at once; the identity token names whoever EMAIL_FILE holds when the
// dashboard asks for the token, so a test chooses who signs in by writing that file.
import { readFileSync } from "node:fs";
import { OAuth2Server } from "oauth2-mock-server";

const [port, emailFile] = process.argv.slice(2);
const server = new OAuth2Server();
await server.issuer.keys.generate("RS256");
server.service.on("beforeTokenSigning", (token) => {
  const email = readFileSync(emailFile, "utf8").trim();
  Object.assign(token.payload, { email, email_verified: true, name: email.split("@")[0] });
});
server.issuer.url = `http://127.0.0.1:${port}`;
await server.start(Number(port), "127.0.0.1");
console.log(`ready ${server.issuer.url}`);
