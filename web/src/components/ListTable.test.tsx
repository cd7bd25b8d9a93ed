import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ListTable, tableRows } from './ListTable.tsx';

describe('ListTable', () => {
  it('reads the rows as shown, under their headings, fields by value and grouped figures as numbers', () => {
    render(
      <ListTable exportName="lots" aria-label="Lots">
        <thead>
          <tr>
            <th>Lot</th>
            <th>Qty</th>
            <th>Qty</th>
            <th />
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              L-1 <em>expired</em>
            </td>
            <td>1,234.5</td>
            <td>
              <input defaultValue="7" />
            </td>
            <td>=cmd</td>
          </tr>
          <tr>
            <td>12,34</td>
            <td>-2,000</td>
            <td />
            <td>
              <input type="checkbox" defaultChecked /> keep
            </td>
          </tr>
        </tbody>
      </ListTable>,
    );
    expect(screen.getByRole('button', { name: 'Export CSV' })).toBeTruthy();
    expect(tableRows(screen.getByRole('table', { name: 'Lots' }) as HTMLTableElement)).toEqual([
      { Lot: 'L-1 expired', Qty: '1234.5', 'Qty 3': '7', 'column 4': '=cmd' },
      { Lot: '12,34', Qty: '-2000', 'Qty 3': '', 'column 4': 'keep' },
    ]);
  });
});
