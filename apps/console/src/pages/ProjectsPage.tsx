import { useMutation, useQuery } from "@connectrpc/connect-query";
import { ProjectService } from "@switchyard/api";
import { type FormEvent, useState } from "react";
import { Link, useNavigate } from "react-router";
import { fieldErrors, unshownErrors } from "../api/errors.js";
import { useInvalidate } from "../api/queries.js";
import { useSession } from "../api/session.js";
import { LoadError } from "../components/Alert.js";
import { FormErrors, TextField } from "../components/Field.js";
import { Pager, usePager } from "../components/Pager.js";
import { formatTime } from "../format.js";

const PAGE_SIZE = 50;

/** Every project the session may see; a form to create one for unscoped editors and admins. */
export function ProjectsPage() {
  const { canEdit, unscoped } = useSession();
  const pager = usePager();
  const list = useQuery(ProjectService.method.listProjects, {
    pageSize: PAGE_SIZE,
    pageToken: pager.token,
  });
  return (
    <>
      <h1>Projects</h1>
      {list.error && <LoadError error={list.error} what="projects" />}
      {list.data && (
        <>
          <table aria-label="Projects">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Description</th>
                <th scope="col">Updated</th>
                <th scope="col">Rules</th>
              </tr>
            </thead>
            <tbody>
              {list.data.projects.map((p) => (
                <tr key={p.id} data-testid={`project-row-${p.name}`}>
                  <td>
                    <Link to={`/projects/${p.id}`}>{p.name}</Link>
                  </td>
                  <td>{p.description}</td>
                  <td>{formatTime(p.updateTime)}</td>
                  <td>
                    <Link to={`/projects/${p.id}/rules`} aria-label={`Rules of ${p.name}`}>
                      Rules
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.data.projects.length === 0 && <p className="muted">No projects yet.</p>}
          <Pager pager={pager} nextToken={list.data.nextPageToken} />
        </>
      )}
      {canEdit && unscoped && <CreateProject />}
    </>
  );
}

function CreateProject() {
  const navigate = useNavigate();
  const invalidate = useInvalidate(ProjectService);
  const create = useMutation(ProjectService.method.createProject);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const errors = fieldErrors(create.error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    let id: string;
    try {
      id = (await create.mutateAsync({ project: { name, description } })).project!.id;
    } catch {
      return; // shown from create.error
    }
    await invalidate();
    navigate(`/projects/${id}`);
  }

  return (
    <section aria-labelledby="create-project-heading">
      <h2 id="create-project-heading">Create a project</h2>
      <form className="card" onSubmit={submit}>
        <FormErrors messages={unshownErrors(errors, ["project.name", "project.description"])} />
        <TextField
          id="create-project-name"
          label="Name"
          value={name}
          onChange={setName}
          error={errors["project.name"]}
          hint="1 to 63 of a-z, 0-9 and -"
        />
        <TextField
          id="create-project-description"
          label="Description"
          value={description}
          onChange={setDescription}
          error={errors["project.description"]}
        />
        <div className="actions">
          <button type="submit" disabled={create.isPending}>
            Create project
          </button>
        </div>
      </form>
    </section>
  );
}
