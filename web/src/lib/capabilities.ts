import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../api/client.ts';

interface OpenApiDoc {
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> };
}

/**
 * What this server offers, read from its OpenAPI document: pages for features a server does
 * not have yet (an older version, a module still to come) say so instead of failing.
 */
export function useCapabilities() {
  const doc = useQuery({ queryKey: ['openapi'], queryFn: () => api.get<OpenApiDoc>('/api/openapi.json'), staleTime: Infinity });
  return useMemo(() => {
    const paths = doc.data?.paths ?? {};
    const has = (method: string, path: string) => Boolean(paths[path]?.[method.toLowerCase()]);
    const schemaHas = (schema: string, property: string) => Boolean(doc.data?.components?.schemas?.[schema]?.properties?.[property]);
    return { ready: doc.isSuccess, has, schemaHas };
  }, [doc.data, doc.isSuccess]);
}
