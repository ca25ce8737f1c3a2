import { useQuery } from "@connectrpc/connect-query";
import { type Project, ProjectService } from "@switchyard/api";
import { Link, useNavigate, useParams } from "react-router";
import { errorsUnder, unshownErrors } from "../api/errors.js";
import { useEtagEdit } from "../api/etag-edit.js";
import { useClient, useInvalidate } from "../api/queries.js";
import { useSession } from "../api/session.js";
import { LoadError } from "../components/Alert.js";
import { DeleteButton } from "../components/DeleteButton.js";
import { EditPanel } from "../components/EditPanel.js";
import { FormErrors, TextField } from "../components/Field.js";
import type { ShownField } from "../components/field-changes.js";
import {
  describeRateLimit,
  RateLimitFields,
  type RateLimitValues,
  rateLimitValues,
  toRateLimit,
} from "../components/RateLimitFields.js";
import { formatTime } from "../format.js";
import { AliasesSection } from "./project/AliasesSection.js";
import { DomainsSection } from "./project/DomainsSection.js";

/** One project: its settings, its aliases and its domains. */
export function ProjectPage() {
  const { projectId = "" } = useParams();
  const get = useQuery(ProjectService.method.getProject, { id: projectId });
  const project = get.data?.project;
  return (
    <>
      <h1>Project {project?.name ?? ""}</h1>
      {get.error && <LoadError error={get.error} what="project" />}
      {project && (
        <>
          <p>
            <Link to={`/projects/${project.id}/rules`}>Rules of {project.name}</Link>
          </p>
          <ProjectSettings project={project} />
          <AliasesSection projectId={project.id} />
          <DomainsSection projectId={project.id} />
          <DeleteProject project={project} />
        </>
      )}
    </>
  );
}

interface ProjectValues {
  name: string;
  description: string;
  rateLimit: RateLimitValues;
}

const SHOWN = ["project.name", "project.description"];

/** The settings as a save's preview shows them. */
const PROJECT_FIELDS: readonly ShownField<ProjectValues>[] = [
  { path: "name", label: "Name", show: (v) => v.name },
  { path: "description", label: "Description", show: (v) => v.description || "none" },
  {
    path: "rate_limit",
    label: "Rate limit",
    show: (v) => describeRateLimit(toRateLimit(v.rateLimit)),
  },
];

function ProjectSettings({ project }: { project: Project }) {
  const { canEdit } = useSession();
  const client = useClient(ProjectService);
  const edit = useEtagEdit<ProjectValues, Project>({
    toValues: (p) => ({
      name: p.name,
      description: p.description,
      rateLimit: rateLimitValues(p.rateLimit),
    }),
    send: (values, etag) =>
      client.updateProject({
        project: {
          id: project.id,
          etag,
          name: values.name,
          description: values.description,
          rateLimit: toRateLimit(values.rateLimit),
        },
        updateMask: { paths: ["name", "description", "rate_limit"] },
      }),
    fetchCurrent: async () => (await client.getProject({ id: project.id })).project!,
    refresh: useInvalidate(ProjectService),
  });
  const rateLimitErrors = errorsUnder(edit.errors, "project.rate_limit");
  const unshown = unshownErrors(
    edit.errors,
    SHOWN.concat(Object.keys(rateLimitErrors).map((f) => `project.rate_limit.${f}`)),
  );

  return (
    <section aria-labelledby="settings-heading">
      <h2 id="settings-heading">Settings</h2>
      <EditPanel
        edit={edit}
        what="project"
        name={project.name}
        label="Edit project"
        fields={PROJECT_FIELDS}
        className="card"
        describe={(p) => <ProjectFacts project={p} />}
        idle={
          <>
            <ProjectFacts project={project} />
            {canEdit && (
              <button type="button" onClick={() => edit.start(project)}>
                Edit project
              </button>
            )}
          </>
        }
      >
        {(values) => (
          <>
            <FormErrors messages={unshown} />
            <TextField
              id="project-name"
              label="Name"
              value={values.name}
              onChange={(name) => edit.change({ ...values, name })}
              error={edit.errors["project.name"]}
            />
            <TextField
              id="project-description"
              label="Description"
              value={values.description}
              onChange={(description) => edit.change({ ...values, description })}
              error={edit.errors["project.description"]}
            />
            <RateLimitFields
              id="project-rate-limit"
              values={values.rateLimit}
              onChange={(rateLimit) => edit.change({ ...values, rateLimit })}
              errors={rateLimitErrors}
            />
          </>
        )}
      </EditPanel>
    </section>
  );
}

function ProjectFacts({ project }: { project: Project }) {
  return (
    <dl className="facts">
      <dt>Name</dt>
      <dd>{project.name}</dd>
      <dt>Description</dt>
      <dd>{project.description || <span className="muted">none</span>}</dd>
      <dt>Rate limit</dt>
      <dd>{describeRateLimit(project.rateLimit)}</dd>
      <dt>Id</dt>
      <dd>
        <code>{project.id}</code>
      </dd>
      <dt>Updated</dt>
      <dd>{formatTime(project.updateTime)}</dd>
    </dl>
  );
}

function DeleteProject({ project }: { project: Project }) {
  const { canEdit } = useSession();
  const navigate = useNavigate();
  const client = useClient(ProjectService);
  const refresh = useInvalidate(ProjectService);
  if (!canEdit) return null;
  return (
    <section aria-labelledby="delete-project-heading">
      <h2 id="delete-project-heading">Delete</h2>
      <p>Deleting the project stops the workers routing its domains.</p>
      <div className="actions">
        <DeleteButton
          what="project"
          name={project.name}
          etag={project.etag}
          forceLabel="Also delete its aliases, domains and rules"
          send={(etag, force) => client.deleteProject({ id: project.id, etag, force })}
          fetchCurrent={async () => (await client.getProject({ id: project.id })).project!}
          refresh={refresh}
          describe={(p) => <ProjectFacts project={p} />}
          onDeleted={() => navigate("/")}
        />
      </div>
    </section>
  );
}
