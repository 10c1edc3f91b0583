import { Layout } from "./layout";

/**
 * MariaDB on each server (setting database: mariadb): the distribution's package, reached through
 * its unix socket only, with one database and one user, both named after the app's user.
 */

/** Where Debian's and Ubuntu's MariaDB listen (its packages' /etc/mysql/mariadb.conf.d/50-server.cnf). */
export const MARIADB_SOCKET = "/run/mysqld/mysqld.sock";
/** Its TCP port, where the web servers reach the database host (setting databaseHost). */
export const MARIADB_PORT = 3306;
/** Its systemd unit (Debian 12 and 13, Ubuntu 22.04 and 24.04). */
export const MARIADB_SERVICE = "mariadb.service";
/**
 * The stack's drop-in: read after the distribution's 50-server.cnf (the files of the directory
 * are read in order and a later value wins), so its settings are the ones that hold.
 */
export const MARIADB_CONFIG_PATH = "/etc/mysql/mariadb.conf.d/60-hbnb-stack.cnf";

/** The app's database on the server, and the user (at localhost) that may use it alone. */
export interface MariadbNames {
  name: string;
  user: string;
}

export function mariadbNames(l: Layout): MariadbNames {
  return { name: l.user, user: l.user };
}

/** How the app logs in: the names, and the password (the secret databasePassword). */
export type MariadbLogin = MariadbNames & { password: string };

/**
 * The app's SQLAlchemy URL: MySQLdb (python3-mysqldb, SQLAlchemy's default MySQL driver) through
 * the unix socket, in utf8mb4 (any Unicode character). Nothing in it needs escaping: the names
 * are the app user's (letters, digits, _ and -: settings.ts) and the password is letters and
 * digits (RandomPassword with special: false), or the plan's token that stands for it.
 */
export function mariadbUrl(login: MariadbLogin): string {
  return `mysql+mysqldb://${login.user}:${login.password}@localhost/${login.name}?unix_socket=${MARIADB_SOCKET}&charset=utf8mb4`;
}

/**
 * The app's login on the database host (setting databaseHost): the same names, its address, and
 * the file of the CA its certificate is checked against.
 */
export type RemoteLogin = MariadbLogin & { host: string; caFile: string };

/**
 * The app's SQLAlchemy URL on the database host: MySQLdb over TCP to its port (MARIADB_PORT), in
 * utf8mb4, over TLS whose server certificate must be signed by the stack's CA (ssl_ca, which
 * SQLAlchemy hands MySQLdb as ssl={"ca": ...}; MariaDB Connector/C then verifies the peer). The
 * host is an address or a DNS name (settings.ts), the CA file a path of the stack, the rest as
 * in mariadbUrl.
 */
export function remoteUrl(login: RemoteLogin): string {
  const host = login.host.includes(":") ? `[${login.host}]` : login.host;
  return `mysql+mysqldb://${login.user}:${login.password}@${host}:${MARIADB_PORT}/${login.name}?charset=utf8mb4&ssl_ca=${login.caFile}`;
}
