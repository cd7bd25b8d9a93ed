import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../../api/problem.ts';
import { useSignedIn } from '../../../auth/session.tsx';
import { ErrorBanner, FormErrors, StatusBadge, TextField } from '../../../components/ui.tsx';
import type { Shipment } from '../types.ts';

const none: MappedProblem = { byField: {}, general: [] };

/** A packed shipment: carrier and tracking numbers to ship it, then delivered. */
export function ShipmentCard({ shipment, onChange }: { shipment: Shipment; onChange(): void }) {
  const session = useSignedIn();
  const [carrier, setCarrier] = useState('');
  const [service, setService] = useState('Standard');
  const [tracking, setTracking] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState(none);
  const fields = ['carrier', 'service', 'packages', ...shipment.packages.flatMap((_, i) => [`packages.${i}.tracking_number`])];
  const ship = useMutation({
    mutationFn: () =>
      api.post<Shipment>(`/api/v1/shipments/${shipment.id}/ship`, {
        carrier,
        service,
        packages: shipment.packages.map((p) => ({ package_id: p.id, tracking_number: tracking[p.id] ?? '' })),
      }),
    onSuccess: onChange,
    onError: (e) => setProblem(mapProblem(e, fields)),
  });
  const delivered = useMutation({ mutationFn: () => api.post(`/api/v1/shipments/${shipment.id}/delivered`), onSuccess: onChange });
  return (
    <div className="card" data-testid="shipment">
      <h2>
        Shipment <StatusBadge status={shipment.status} /> {shipment.carrier && `· ${shipment.carrier} ${shipment.service ?? ''}`}
      </h2>
      <ul className="plain">
        {shipment.packages.map((p) => (
          <li key={p.id}>
            Parcel {p.number}: {p.weight_g} g, {p.lines.reduce((s, l) => s + l.qty, 0)} units {p.tracking_number && <>· tracking <span className="mono">{p.tracking_number}</span></>}
          </li>
        ))}
      </ul>
      {session.can('fulfillment.write') && shipment.status === 'packed' && (
        <div className="subform">
          <FormErrors messages={problem.general} />
          <div className="grid-3">
            <TextField label="Carrier" value={carrier} onValue={setCarrier} error={problem.byField.carrier} />
            <TextField label="Service" value={service} onValue={setService} error={problem.byField.service} />
            {shipment.packages.map((p, i) => (
              <TextField key={p.id} label={`Tracking number, parcel ${p.number}`} value={tracking[p.id] ?? ''} onValue={(v) => setTracking((t) => ({ ...t, [p.id]: v }))} error={problem.byField[`packages.${i}.tracking_number`]} />
            ))}
          </div>
          <button type="button" className="primary" onClick={() => ship.mutate()} disabled={ship.isPending}>
            Ship
          </button>
        </div>
      )}
      {session.can('fulfillment.write') && shipment.status === 'shipped' && (
        <button type="button" onClick={() => delivered.mutate()}>
          Mark delivered
        </button>
      )}
      <ErrorBanner error={delivered.error} />
    </div>
  );
}
