/**
 * The shared database of database rds: one MariaDB on Amazon RDS (components/aws-database.ts),
 * reached over TCP from the servers' security group only. The app logs in as the instance's
 * master user: RDS makes it with the database, and no server needs a client to make another.
 */

/**
 * The database and its user. RDS takes a MariaDB database name and master user name of a letter,
 * then letters, digits or _ (its CreateDBInstance rules, DBName and MasterUsername), which an app
 * user's name (with its -) may not be: fixed names, the same for every stack.
 */
export const RDS_NAMES = { name: "hbnb", user: "hbnb" } as const;

/** MariaDB's port on RDS (the default of the engine). */
export const RDS_PORT = 3306;

/** The login the app's environment carries: the host and the password are the plan's tokens. */
export interface RdsLogin {
  host: string;
  password: string;
  name: string;
  user: string;
}

/**
 * The app's SQLAlchemy URL: MySQLdb (python3-mysqldb), over TCP to the RDS endpoint, in utf8mb4.
 * Nothing in it needs escaping: the names are fixed, the password is letters and digits
 * (RandomPassword with special: false) and the host is an RDS DNS name.
 */
export function rdsUrl(login: RdsLogin): string {
  return `mysql+mysqldb://${login.user}:${login.password}@${login.host}:${RDS_PORT}/${login.name}?charset=utf8mb4`;
}
