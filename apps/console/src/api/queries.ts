import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient } from "@connectrpc/connect";
import { createConnectQueryKey, useTransport } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";

/** A plain client of `service` over the console's transport, for reads outside the cache. */
export function useClient<S extends DescService>(service: S): Client<S> {
  const transport = useTransport();
  return useMemo(() => createClient(service, transport), [service, transport]);
}

/** Marks every cached answer of `service` stale, so what is on screen is read again. */
export function useInvalidate(service: DescService): () => Promise<void> {
  const queryClient = useQueryClient();
  return useCallback(
    () =>
      queryClient.invalidateQueries({
        queryKey: createConnectQueryKey({ schema: service, cardinality: undefined }),
      }),
    [queryClient, service],
  );
}
