import { useMutation, useQuery } from "@connectrpc/connect-query";
import { type Alias, ProjectService } from "@switchyard/api";
import { type FormEvent, useState } from "react";
import { fieldErrors, unshownErrors } from "../../api/errors.js";
import { useEtagEdit } from "../../api/etag-edit.js";
import { useClient, useInvalidate } from "../../api/queries.js";
import { useSession } from "../../api/session.js";
import { LoadError } from "../../components/Alert.js";
import { ConflictNotice } from "../../components/Conflict.js";
import { DeleteButton } from "../../components/DeleteButton.js";
import { FormErrors, TextField } from "../../components/Field.js";
import { formatTime } from "../../format.js";

/** The most a list page may hold (the store's MAX_PAGE_SIZE): a project's aliases fit one page. */
export const ALL = 1000;

/** A project's aliases: list, create, rename, inherit or not, delete. */
export function AliasesSection({ projectId }: { projectId: string }) {
  const { canEdit } = useSession();
  const list = useQuery(ProjectService.method.listAliases, { projectId, pageSize: ALL });
  const aliases = list.data?.aliases ?? [];
  return (
    <section aria-labelledby="aliases-heading">
      <h2 id="aliases-heading">Aliases</h2>
      {list.error && <LoadError error={list.error} what="aliases" />}
      {list.data && aliases.length === 0 && <p className="muted">No aliases.</p>}
      {aliases.length > 0 && (
        <table aria-label="Aliases">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Inherits project rules</th>
              <th scope="col">Updated</th>
              {canEdit && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {aliases.map((a) => (
              <AliasRow key={a.id} alias={a} canEdit={canEdit} />
            ))}
          </tbody>
        </table>
      )}
      {canEdit && <CreateAlias projectId={projectId} />}
    </section>
  );
}

interface AliasValues {
  name: string;
  inheritProjectRules: boolean;
}

function AliasRow({ alias, canEdit }: { alias: Alias; canEdit: boolean }) {
  const client = useClient(ProjectService);
  const refresh = useInvalidate(ProjectService);
  const fetchCurrent = async () => (await client.getAlias({ id: alias.id })).alias!;
  const edit = useEtagEdit<AliasValues, Alias>({
    toValues: (a) => ({ name: a.name, inheritProjectRules: a.inheritProjectRules }),
    send: (values, etag) =>
      client.updateAlias({
        alias: { id: alias.id, etag, ...values },
        updateMask: { paths: ["name", "inherit_project_rules"] },
      }),
    fetchCurrent,
    refresh,
  });
  const values = edit.values;
  const idBase = `alias-${alias.id}`;
  return (
    <>
      <tr data-testid={`alias-row-${alias.name}`}>
        <td>{alias.name}</td>
        <td>{alias.inheritProjectRules ? "yes" : "no"}</td>
        <td>{formatTime(alias.updateTime)}</td>
        {canEdit && (
          <td>
            <div className="actions">
              <button
                type="button"
                aria-label={`Edit alias ${alias.name}`}
                onClick={() => edit.start(alias)}
                disabled={values !== undefined}
              >
                Edit
              </button>
              <DeleteButton
                what="alias"
                name={alias.name}
                etag={alias.etag}
                forceLabel="Also delete its rules and detach its domains"
                send={(etag, force) => client.deleteAlias({ id: alias.id, etag, force })}
                fetchCurrent={fetchCurrent}
                refresh={refresh}
                describe={(a) => <AliasFacts alias={a} />}
              />
            </div>
          </td>
        )}
      </tr>
      {(values !== undefined || edit.conflict) && (
        <tr>
          <td colSpan={4}>
            {edit.conflict && (
              <ConflictNotice
                what="alias"
                current={edit.conflict.current && <AliasFacts alias={edit.conflict.current} />}
                onLoadCurrent={edit.loadCurrent}
              />
            )}
            {values !== undefined && (
              <form
                aria-label={`Edit alias ${alias.name}`}
                onSubmit={(e) => {
                  e.preventDefault();
                  void edit.save();
                }}
              >
                <FormErrors messages={unshownErrors(edit.errors, ["alias.name"])} />
                <TextField
                  id={`${idBase}-name`}
                  label="Alias name"
                  value={values.name}
                  onChange={(name) => edit.change({ ...values, name })}
                  error={edit.errors["alias.name"]}
                  autoFocus
                />
                <label className="inline" htmlFor={`${idBase}-inherit`}>
                  <input
                    id={`${idBase}-inherit`}
                    type="checkbox"
                    checked={values.inheritProjectRules}
                    onChange={(e) =>
                      edit.change({ ...values, inheritProjectRules: e.target.checked })
                    }
                  />
                  Inherit the project's rules
                </label>
                <div className="actions">
                  <button type="submit" disabled={edit.saving}>
                    Save alias
                  </button>
                  <button type="button" onClick={edit.cancel}>
                    Cancel
                  </button>
                </div>
              </form>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

function AliasFacts({ alias }: { alias: Alias }) {
  return (
    <dl className="facts">
      <dt>Name</dt>
      <dd>{alias.name}</dd>
      <dt>Inherits project rules</dt>
      <dd>{alias.inheritProjectRules ? "yes" : "no"}</dd>
      <dt>Updated</dt>
      <dd>{formatTime(alias.updateTime)}</dd>
    </dl>
  );
}

function CreateAlias({ projectId }: { projectId: string }) {
  const create = useMutation(ProjectService.method.createAlias);
  const refresh = useInvalidate(ProjectService);
  const [name, setName] = useState("");
  const [inherit, setInherit] = useState(true);
  const errors = fieldErrors(create.error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      await create.mutateAsync({ alias: { projectId, name, inheritProjectRules: inherit } });
    } catch {
      return; // shown from create.error
    }
    setName("");
    await refresh();
  }

  return (
    <form className="card" aria-labelledby="create-alias-heading" onSubmit={submit}>
      <h3 id="create-alias-heading">Add an alias</h3>
      <FormErrors messages={unshownErrors(errors, ["alias.name"])} />
      <TextField
        id="create-alias-name"
        label="Alias name"
        value={name}
        onChange={setName}
        error={errors["alias.name"]}
      />
      <label className="inline" htmlFor="create-alias-inherit">
        <input
          id="create-alias-inherit"
          type="checkbox"
          checked={inherit}
          onChange={(e) => setInherit(e.target.checked)}
        />
        Inherit the project's rules
      </label>
      <div className="actions">
        <button type="submit" disabled={create.isPending}>
          Add alias
        </button>
      </div>
    </form>
  );
}
