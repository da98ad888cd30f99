// One MongoDB user per service, limited to its own database (readWrite there,
// nothing anywhere else). Run once by the official mongo image, from
// /docker-entrypoint-initdb.d, when its data volume is first initialised; the
// passwords come from the container's environment (MONGO_<SERVICE>_PASSWORD,
// see docker-compose.yml), never from this file. Each service connects with
// mongodb://<service>:<password>@mongo:27017/<service>?authSource=<service>.
const services = ["identity", "billing", "recovery", "ratings", "teams", "portal"];

for (const name of services) {
  const variable = `MONGO_${name.toUpperCase()}_PASSWORD`;
  const password = process.env[variable];
  if (!password) {
    throw new Error(`${variable} is not set: every service needs its own MongoDB password`);
  }
  db.getSiblingDB(name).createUser({
    user: name,
    pwd: password,
    roles: [{ role: "readWrite", db: name }],
  });
  print(`created MongoDB user ${name} (readWrite on ${name} only)`);
}
