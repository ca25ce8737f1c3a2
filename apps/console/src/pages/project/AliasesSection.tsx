import { useQuery } from "@connectrpc/connect-query";
import { type Alias, ProjectService } from "@switchyard/api";
import { unshownErrors } from "../../api/errors.js";
import { useEtagEdit } from "../../api/etag-edit.js";
import { useClient, useInvalidate } from "../../api/queries.js";
import { useSession } from "../../api/session.js";
import { CreateForm } from "../../components/CreateForm.js";
import { DeleteButton } from "../../components/DeleteButton.js";
import { CheckField, FormErrors, TextField } from "../../components/Field.js";
import type { ShownField } from "../../components/field-changes.js";
import { ListSection } from "../../components/ListSection.js";
import { ResourceRow } from "../../components/ResourceRow.js";
import { formatTime } from "../../format.js";

/** The most a list page may hold (the store's MAX_PAGE_SIZE): a project's aliases fit one page. */
export const ALL = 1000;

/** A project's aliases: list, create, rename, inherit or not, delete. */
export function AliasesSection({ projectId }: { projectId: string }) {
  const { canEdit } = useSession();
  const list = useQuery(ProjectService.method.listAliases, { projectId, pageSize: ALL });
  const aliases = list.data?.aliases ?? [];
  return (
    <ListSection
      name="aliases"
      title="Aliases"
      columns={["Name", "Inherits project rules", "Updated"]}
      canEdit={canEdit}
      error={list.error}
      loaded={list.data !== undefined}
      count={aliases.length}
      create={<CreateAlias projectId={projectId} />}
    >
      {aliases.map((a) => (
        <AliasRow key={a.id} alias={a} canEdit={canEdit} />
      ))}
    </ListSection>
  );
}

interface AliasValues {
  name: string;
  inheritProjectRules: boolean;
}

/** An alias as a save's preview shows it. */
const ALIAS_FIELDS: readonly ShownField<AliasValues>[] = [
  { path: "name", label: "Name", show: (v) => v.name },
  {
    path: "inherit_project_rules",
    label: "Inherits project rules",
    show: (v) => (v.inheritProjectRules ? "yes" : "no"),
  },
];

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
  const describe = (a: Alias) => <AliasFacts alias={a} />;
  return (
    <ResourceRow
      resource={alias}
      what="alias"
      name={alias.name}
      testId={`alias-row-${alias.name}`}
      cells={[alias.name, alias.inheritProjectRules ? "yes" : "no", formatTime(alias.updateTime)]}
      canEdit={canEdit}
      edit={edit}
      fields={ALIAS_FIELDS}
      describe={describe}
      deleteButton={
        <DeleteButton
          what="alias"
          name={alias.name}
          etag={alias.etag}
          forceLabel="Also delete its rules and detach its domains"
          send={(etag, force) => client.deleteAlias({ id: alias.id, etag, force })}
          fetchCurrent={fetchCurrent}
          refresh={refresh}
          describe={describe}
        />
      }
    >
      {(values) => (
        <AliasFields
          id={`alias-${alias.id}`}
          values={values}
          onChange={edit.change}
          errors={edit.errors}
          autoFocus
        />
      )}
    </ResourceRow>
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

interface AliasFieldsProps {
  id: string;
  values: AliasValues;
  onChange: (values: AliasValues) => void;
  errors: Record<string, string>;
  autoFocus?: boolean;
}

/** Name and inherit inputs, shared by the create and edit forms. */
function AliasFields({ id, values, onChange, errors, autoFocus }: AliasFieldsProps) {
  return (
    <>
      <FormErrors messages={unshownErrors(errors, ["alias.name"])} />
      <TextField
        id={`${id}-name`}
        label="Alias name"
        value={values.name}
        onChange={(name) => onChange({ ...values, name })}
        error={errors["alias.name"]}
        autoFocus={autoFocus}
      />
      <CheckField
        id={`${id}-inherit`}
        label="Inherit the project's rules"
        checked={values.inheritProjectRules}
        onChange={(inheritProjectRules) => onChange({ ...values, inheritProjectRules })}
      />
    </>
  );
}

function CreateAlias({ projectId }: { projectId: string }) {
  const client = useClient(ProjectService);
  return (
    <CreateForm<AliasValues>
      what="alias"
      title="Add an alias"
      initial={{ name: "", inheritProjectRules: true }}
      send={(values) => client.createAlias({ alias: { projectId, ...values } })}
      next={(created) => ({ ...created, name: "" })}
      refresh={useInvalidate(ProjectService)}
    >
      {(values, onChange, errors) => (
        <AliasFields id="create-alias" values={values} onChange={onChange} errors={errors} />
      )}
    </CreateForm>
  );
}
