import { z } from 'zod';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { toLocationJson, toLocationTree } from './locations.mapper.ts';
import { createLocationBody, listLocationsQuery, locationNodeOutput, locationOutput, updateLocationBody } from './locations.schema.ts';
import { createLocation, getLocation, listLocations, updateLocation } from './locations.service.ts';

export function registerLocationRoutes(app: AppInstance, deps: CommandDeps): void {
  app.post('/api/v1/locations', {
    schema: {
      tags: ['locations'],
      summary: 'Create a site (store or warehouse), a zone or a bin',
      description: 'A new site gets a default bin, MAIN, where its stock goes unless a document names another bin.',
      body: createLocationBody,
      response: { 201: locationOutput },
    },
    config: { access: { permission: 'locations.write', location: { from: 'body', field: 'parent_id' } }, errors: ['location_code_taken', 'location_not_found', 'location_parent_invalid'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toLocationJson(await createLocation(ctx, request.body)), {
        status: 201,
        targets: (l) => [{ type: 'location', id: l.id }],
      }),
  });

  app.get('/api/v1/locations', {
    schema: {
      tags: ['locations'],
      summary: 'The location tree',
      querystring: listLocationsQuery,
      response: { 200: z.object({ data: z.array(locationNodeOutput) }) },
    },
    config: { access: { permission: 'locations.read', location: { from: 'query', field: 'site_id' } }, errors: [] },
    handler: async (request) => {
      const rows = await listLocations(contextOf(deps, request), {
        siteId: request.query.site_id,
        includeVirtual: request.query.include_virtual,
      });
      return { data: toLocationTree(rows) };
    },
  });

  app.get('/api/v1/locations/:id', {
    schema: { tags: ['locations'], summary: 'One location', params: idParams('loc'), response: { 200: locationOutput } },
    config: { access: { permission: 'locations.read', location: { from: 'params', field: 'id' } }, errors: ['location_not_found'] },
    handler: async (request) => toLocationJson(await getLocation(contextOf(deps, request), request.params.id)),
  });

  app.patch('/api/v1/locations/:id', {
    schema: {
      tags: ['locations'],
      summary: 'Rename a location, set a site’s negative-stock policy or default bin, or a bin’s pick order',
      params: idParams('loc'),
      body: updateLocationBody,
      response: { 200: locationOutput },
    },
    config: { access: { permission: 'locations.write', location: { from: 'params', field: 'id' } }, errors: ['location_not_found', 'location_parent_invalid', 'location_policy_not_settable'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toLocationJson(await updateLocation(ctx, request.params.id, request.body)), {
        targets: (l) => [{ type: 'location', id: l.id }],
      }),
  });
}
