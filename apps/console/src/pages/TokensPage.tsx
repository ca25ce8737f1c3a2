import { useMutation, useQuery } from "@connectrpc/connect-query";
import { ProjectService, Role, type Token, TokenService } from "@switchyard/api";
import { type FormEvent, useState } from "react";
import { errorMessage, fieldErrors, unshownErrors } from "../api/errors.js";
import { useInvalidate } from "../api/queries.js";
import { LoadError } from "../components/Alert.js";
import { CheckField, FieldError, FormErrors, SelectField, TextField } from "../components/Field.js";
import { Pager, usePager } from "../components/Pager.js";
import { enumLabel, formatTime } from "../format.js";

const PAGE_SIZE = 50;

/** API tokens (unscoped admins only): list, create (the secret shown once), delete. */
export function TokensPage() {
  const pager = usePager();
  const list = useQuery(TokenService.method.listTokens, {
    pageSize: PAGE_SIZE,
    pageToken: pager.token,
  });
  const projects =
    useQuery(ProjectService.method.listProjects, { pageSize: 1000 }).data?.projects ?? [];
  const projectName = (id: string) => projects.find((p) => p.id === id)?.name ?? id;
  return (
    <>
      <h1>API tokens</h1>
      {list.error && <LoadError error={list.error} what="tokens" />}
      {list.data && (
        <>
          <table aria-label="API tokens">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Projects</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data.tokens.map((t) => (
                <TokenRow key={t.id} token={t} projectName={projectName} />
              ))}
            </tbody>
          </table>
          <Pager pager={pager} nextToken={list.data.nextPageToken} />
        </>
      )}
      <CreateToken projects={projects.map((p) => ({ id: p.id, name: p.name }))} />
    </>
  );
}

function TokenRow({ token, projectName }: { token: Token; projectName: (id: string) => string }) {
  const remove = useMutation(TokenService.method.deleteToken);
  const refresh = useInvalidate(TokenService);
  const [confirming, setConfirming] = useState(false);
  return (
    <tr data-testid={`token-row-${token.name}`}>
      <td>{token.name}</td>
      <td>{enumLabel(Role, token.role, "")}</td>
      <td>
        {token.projectIds.length === 0 ? "all" : token.projectIds.map(projectName).join(", ")}
      </td>
      <td>{formatTime(token.createTime)}</td>
      <td>{formatTime(token.lastUsedTime)}</td>
      <td>
        <div className="actions">
          {!confirming ? (
            <button
              type="button"
              className="danger"
              aria-label={`Delete token ${token.name}`}
              onClick={() => setConfirming(true)}
            >
              Delete
            </button>
          ) : (
            <>
              <button
                type="button"
                className="danger"
                disabled={remove.isPending}
                onClick={async () => {
                  await remove.mutateAsync({ id: token.id }).then(refresh, () => undefined);
                }}
              >
                Confirm delete token {token.name}
              </button>
              <button
                type="button"
                aria-label={`Keep token ${token.name}`}
                onClick={() => setConfirming(false)}
              >
                Cancel
              </button>
            </>
          )}
        </div>
        {remove.error && (
          <p className="field-error" role="alert">
            {errorMessage(remove.error)}
          </p>
        )}
      </td>
    </tr>
  );
}

const ROLES = [Role.VIEWER, Role.EDITOR, Role.ADMIN];

function CreateToken({ projects }: { projects: { id: string; name: string }[] }) {
  const create = useMutation(TokenService.method.createToken);
  const refresh = useInvalidate(TokenService);
  const [name, setName] = useState("");
  const [role, setRole] = useState(Role.VIEWER);
  const [projectIds, setProjectIds] = useState<string[]>([]);
  const [secret, setSecret] = useState<{ name: string; value: string }>();
  const errors = fieldErrors(create.error);
  const projectErrors = Object.entries(errors)
    .filter(([field]) => field.startsWith("token.project_ids"))
    .map(([, message]) => message);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSecret(undefined);
    try {
      const created = await create.mutateAsync({ token: { name, role, projectIds } });
      setSecret({ name, value: created.secret });
    } catch {
      return; // shown from create.error
    }
    setName("");
    setProjectIds([]);
    await refresh();
  }

  return (
    <section aria-labelledby="create-token-heading">
      <h2 id="create-token-heading">Create a token</h2>
      {secret && (
        <div className="notice" role="status" data-testid="token-secret">
          <p>The secret of {secret.name}, shown this once: copy it now, it cannot be read again.</p>
          <pre>{secret.value}</pre>
          <button type="button" onClick={() => setSecret(undefined)}>
            Hide the secret
          </button>
        </div>
      )}
      <form className="card" onSubmit={submit}>
        <FormErrors
          messages={unshownErrors(errors, ["token.name", "token.role"]).filter(
            (m) => !m.startsWith("token.project_ids"),
          )}
        />
        <TextField
          id="create-token-name"
          label="Token name"
          value={name}
          onChange={setName}
          error={errors["token.name"]}
        />
        <SelectField
          id="create-token-role"
          label="Role"
          value={role}
          onChange={(value) => setRole(Number(value) as Role)}
          error={errors["token.role"]}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {enumLabel(Role, r, "")}
            </option>
          ))}
        </SelectField>
        <fieldset
          aria-describedby={projectErrors.length > 0 ? "create-token-projects-error" : undefined}
        >
          <legend>Projects (none checked: every project)</legend>
          {projects.map((p) => (
            <CheckField
              key={p.id}
              id={`create-token-project-${p.id}`}
              label={p.name}
              checked={projectIds.includes(p.id)}
              onChange={(checked) =>
                setProjectIds((ids) => (checked ? [...ids, p.id] : ids.filter((id) => id !== p.id)))
              }
            />
          ))}
          <FieldError
            id="create-token-projects-error"
            error={projectErrors.join("; ") || undefined}
          />
        </fieldset>
        <div className="actions">
          <button type="submit" disabled={create.isPending}>
            Create token
          </button>
        </div>
      </form>
    </section>
  );
}
