/** The application's tables and rows, as the tests seed them. */

/** The application's tables, as the runbook's monthly test counts them. */
export const APPLICATION_SCHEMA = `
CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL DEFAULT clock_timestamp());
CREATE TABLE tasks (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users, title text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT clock_timestamp());
`;

/** Inserts `users` users with `tasksPerUser` tasks each, in one statement per table. */
export function seedSql(users: number, tasksPerUser: number, tag: string): string {
  return `
INSERT INTO users (email) SELECT '${tag}-' || g || '@example.com' FROM generate_series(1, ${users}) AS g;
INSERT INTO tasks (user_id, title)
  SELECT u.id, '${tag} task ' || t FROM users AS u, generate_series(1, ${tasksPerUser}) AS t WHERE u.email LIKE '${tag}-%';
`;
}
