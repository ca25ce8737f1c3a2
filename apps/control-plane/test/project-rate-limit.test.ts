import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { RateLimitKey } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { label, useApi } from "./services-fixture.js";

// A project's rate_limit (the default of its rules) through the API: stored, updated by mask,
// cleared, and refused naming the field when a worker could not enforce it.

const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });

async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected the call to fail");
}

describe("Project.rate_limit", () => {
  const api = useApi();
  const projects = () => api.admin.projects;

  it("is stored, updated with the rate_limit mask and cleared", async () => {
    const rateLimit = {
      limit: 100,
      windowMs: 60_000,
      key: RateLimitKey.HEADER,
      headerName: "x-api-key",
      skipFailed: true,
    };
    const { project } = await projects().createProject({
      project: { name: label("rl"), rateLimit },
    });
    expect(project?.rateLimit).toMatchObject(rateLimit);
    expect((await projects().getProject({ id: project!.id })).project?.rateLimit).toMatchObject(
      rateLimit,
    );

    const { project: updated } = await projects().updateProject({
      project: { id: project!.id, rateLimit: { limit: 5, windowMs: 1000 } },
      updateMask: mask("rate_limit"),
    });
    expect(updated?.rateLimit).toMatchObject({ limit: 5, windowMs: 1000 });

    const { project: cleared } = await projects().updateProject({
      project: { id: project!.id },
      updateMask: mask("rate_limit"),
    });
    expect(cleared?.rateLimit).toBeUndefined();
  });

  it.each([
    [
      { limit: 10, windowMs: 500 },
      "project.rate_limit.window_ms",
      "must be between 1000 (one second)",
    ],
    [{ limit: 10, windowMs: 1500 }, "project.rate_limit.window_ms", "must be whole seconds"],
    [{ limit: 0, windowMs: 1000 }, "project.rate_limit.limit", "must be at least 1"],
    [
      { limit: 1, windowMs: 1000, key: RateLimitKey.HEADER },
      "project.rate_limit.header_name",
      "is required",
    ],
  ])("refuses %j naming %s", async (rateLimit, field, message) => {
    const error = await rejection(
      projects().createProject({ project: { name: label("bad"), rateLimit } }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toContain(field);
    expect(error.rawMessage).toContain(message);
  });
});
