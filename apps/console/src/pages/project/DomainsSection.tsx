import { useQuery } from "@connectrpc/connect-query";
import { type Alias, type Domain, ProjectService } from "@switchyard/api";
import { unshownErrors } from "../../api/errors.js";
import { useEtagEdit } from "../../api/etag-edit.js";
import { useClient, useInvalidate } from "../../api/queries.js";
import { useSession } from "../../api/session.js";
import { CreateForm } from "../../components/CreateForm.js";
import { DeleteButton } from "../../components/DeleteButton.js";
import { FormErrors, SelectField, TextField } from "../../components/Field.js";
import type { ShownField } from "../../components/field-changes.js";
import { ListSection } from "../../components/ListSection.js";
import { ResourceRow } from "../../components/ResourceRow.js";
import { formatTime } from "../../format.js";
import { ALL } from "./AliasesSection.js";

/** A project's domains: the hosts it answers, each for the project or one of its aliases. */
export function DomainsSection({ projectId }: { projectId: string }) {
  const { canEdit } = useSession();
  const list = useQuery(ProjectService.method.listDomains, { projectId, pageSize: ALL });
  const aliases =
    useQuery(ProjectService.method.listAliases, { projectId, pageSize: ALL }).data?.aliases ?? [];
  const domains = list.data?.domains ?? [];
  return (
    <ListSection
      name="domains"
      title="Domains"
      columns={["Host", "Serves", "Updated"]}
      canEdit={canEdit}
      error={list.error}
      loaded={list.data !== undefined}
      count={domains.length}
      create={<CreateDomain projectId={projectId} aliases={aliases} />}
    >
      {domains.map((d) => (
        <DomainRow key={d.id} domain={d} aliases={aliases} canEdit={canEdit} />
      ))}
    </ListSection>
  );
}

/** What a domain serves: the project itself, or one alias of it. */
function servedBy(domain: Pick<Domain, "aliasId">, aliases: readonly Alias[]): string {
  if (domain.aliasId === "") return "the project";
  const alias = aliases.find((a) => a.id === domain.aliasId);
  return `alias ${alias?.name ?? domain.aliasId}`;
}

interface DomainValues {
  host: string;
  aliasId: string;
}

/** A domain as a save's preview shows it; what it serves is named by `aliases`. */
function domainFields(aliases: readonly Alias[]): readonly ShownField<DomainValues>[] {
  return [
    { path: "host", label: "Host", show: (v) => v.host },
    { path: "alias_id", label: "Serves", show: (v) => servedBy(v, aliases) },
  ];
}

function DomainRow(props: { domain: Domain; aliases: readonly Alias[]; canEdit: boolean }) {
  const { domain, aliases, canEdit } = props;
  const client = useClient(ProjectService);
  const refresh = useInvalidate(ProjectService);
  const fetchCurrent = async () => (await client.getDomain({ id: domain.id })).domain!;
  const edit = useEtagEdit<DomainValues, Domain>({
    toValues: (d) => ({ host: d.host, aliasId: d.aliasId }),
    send: (values, etag) =>
      client.updateDomain({
        domain: { id: domain.id, etag, ...values },
        updateMask: { paths: ["host", "alias_id"] },
      }),
    fetchCurrent,
    refresh,
  });
  const describe = (d: Domain) => (
    <dl className="facts">
      <dt>Host</dt>
      <dd>{d.host}</dd>
      <dt>Serves</dt>
      <dd>{servedBy(d, aliases)}</dd>
      <dt>Updated</dt>
      <dd>{formatTime(d.updateTime)}</dd>
    </dl>
  );
  return (
    <ResourceRow
      resource={domain}
      what="domain"
      name={domain.host}
      testId={`domain-row-${domain.host}`}
      cells={[domain.host, servedBy(domain, aliases), formatTime(domain.updateTime)]}
      canEdit={canEdit}
      edit={edit}
      fields={domainFields(aliases)}
      describe={describe}
      deleteButton={
        <DeleteButton
          what="domain"
          name={domain.host}
          etag={domain.etag}
          send={(etag) => client.deleteDomain({ id: domain.id, etag })}
          fetchCurrent={fetchCurrent}
          refresh={refresh}
          describe={describe}
        />
      }
    >
      {(values) => (
        <DomainFields
          id={`domain-${domain.id}`}
          values={values}
          onChange={edit.change}
          aliases={aliases}
          errors={edit.errors}
        />
      )}
    </ResourceRow>
  );
}

interface DomainFieldsProps {
  id: string;
  values: DomainValues;
  onChange: (values: DomainValues) => void;
  aliases: readonly Alias[];
  errors: Record<string, string>;
}

/** Host and alias inputs, shared by the create and edit forms. */
function DomainFields({ id, values, onChange, aliases, errors }: DomainFieldsProps) {
  return (
    <>
      <FormErrors messages={unshownErrors(errors, ["domain.host", "domain.alias_id"])} />
      <div className="row">
        <TextField
          id={`${id}-host`}
          label="Host"
          value={values.host}
          onChange={(host) => onChange({ ...values, host })}
          error={errors["domain.host"]}
          placeholder="app.example.com or *.example.com"
        />
        <SelectField
          id={`${id}-alias`}
          label="Serves"
          value={values.aliasId}
          onChange={(aliasId) => onChange({ ...values, aliasId })}
          error={errors["domain.alias_id"]}
        >
          <option value="">the project</option>
          {aliases.map((a) => (
            <option key={a.id} value={a.id}>
              alias {a.name}
            </option>
          ))}
        </SelectField>
      </div>
    </>
  );
}

function CreateDomain({ projectId, aliases }: { projectId: string; aliases: readonly Alias[] }) {
  const client = useClient(ProjectService);
  return (
    <CreateForm<DomainValues>
      what="domain"
      title="Add a domain"
      initial={{ host: "", aliasId: "" }}
      send={(values) => client.createDomain({ domain: { projectId, ...values } })}
      refresh={useInvalidate(ProjectService)}
    >
      {(values, onChange, errors) => (
        <DomainFields
          id="create-domain"
          values={values}
          onChange={onChange}
          aliases={aliases}
          errors={errors}
        />
      )}
    </CreateForm>
  );
}
