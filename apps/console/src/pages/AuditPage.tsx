import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { useQuery } from "@connectrpc/connect-query";
import { type AuditEvent, AuditService } from "@switchyard/api";
import { type FormEvent, useState } from "react";
import { fieldErrors, unshownErrors } from "../api/errors.js";
import { LoadError } from "../components/Alert.js";
import { FormErrors, TextField } from "../components/Field.js";
import { Pager, usePager } from "../components/Pager.js";
import { formatTime } from "../format.js";

const PAGE_SIZE = 50;

interface Filters {
  resourcePrefix: string;
  actor: string;
  /** `2026-12-06T13:00` as typed, read as UTC; empty for no bound. */
  since: string;
}

const NO_FILTERS: Filters = { resourcePrefix: "", actor: "", since: "" };

/** Who changed what: AuditService.ListAuditEvents, filtered by resource prefix, actor and time. */
export function AuditPage() {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const pager = usePager();
  const list = useQuery(AuditService.method.listAuditEvents, {
    pageSize: PAGE_SIZE,
    pageToken: pager.token,
    resourcePrefix: filters.resourcePrefix,
    actor: filters.actor,
    since: filters.since === "" ? undefined : sinceTimestamp(filters.since),
  });
  const errors = fieldErrors(list.error);
  const filterFields = ["resource_prefix", "actor", "since"];

  function apply(event: FormEvent) {
    event.preventDefault();
    pager.reset();
    setFilters(draft);
  }

  return (
    <>
      <h1>Audit log</h1>
      <form className="card" aria-label="Filter audit events" onSubmit={apply}>
        <div className="row">
          <TextField
            id="audit-resource"
            label="Resource starts with"
            value={draft.resourcePrefix}
            onChange={(resourcePrefix) => setDraft({ ...draft, resourcePrefix })}
            error={errors["resource_prefix"]}
            placeholder="projects/"
          />
          <TextField
            id="audit-actor"
            label="Actor"
            value={draft.actor}
            onChange={(actor) => setDraft({ ...draft, actor })}
            error={errors["actor"]}
          />
          <TextField
            id="audit-since"
            label="Since (UTC)"
            type="datetime-local"
            value={draft.since}
            onChange={(since) => setDraft({ ...draft, since })}
            error={errors["since"]}
          />
        </div>
        <div className="actions">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            onClick={() => {
              setDraft(NO_FILTERS);
              setFilters(NO_FILTERS);
              pager.reset();
            }}
          >
            Clear filters
          </button>
        </div>
      </form>
      {list.error &&
        (Object.keys(errors).some((f) => filterFields.includes(f)) ? (
          <FormErrors messages={unshownErrors(errors, filterFields)} />
        ) : (
          <LoadError error={list.error} what="audit log" />
        ))}
      {list.data && (
        <>
          {list.data.events.length === 0 ? (
            <p className="muted">No events.</p>
          ) : (
            <EventTable events={list.data.events} />
          )}
          <Pager pager={pager} nextToken={list.data.nextPageToken} />
        </>
      )}
    </>
  );
}

/** A `datetime-local` value read as UTC. */
function sinceTimestamp(value: string) {
  const date = new Date(`${value}Z`);
  return Number.isNaN(date.getTime()) ? undefined : timestampFromDate(date);
}

function EventTable({ events }: { events: readonly AuditEvent[] }) {
  return (
    <table aria-label="Audit events">
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Actor</th>
          <th scope="col">Action</th>
          <th scope="col">Resource</th>
          <th scope="col">Revision</th>
          <th scope="col">Change</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.id}>
            <td>{formatTime(e.time)}</td>
            <td>{e.actor}</td>
            <td>{e.action}</td>
            <td>
              <code>{e.resource}</code>
            </td>
            <td>{e.revision.toString()}</td>
            <td>
              {(e.before || e.after) && (
                <details>
                  <summary>Before and after</summary>
                  {e.before && (
                    <>
                      <p>Before</p>
                      <pre>{JSON.stringify(e.before, null, 2)}</pre>
                    </>
                  )}
                  {e.after && (
                    <>
                      <p>After</p>
                      <pre>{JSON.stringify(e.after, null, 2)}</pre>
                    </>
                  )}
                </details>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
