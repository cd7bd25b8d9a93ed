import { CheckField, SelectField, TextField } from '../../components/ui.tsx';

/** How an item is listed online (PUT /api/v1/items/{id}/listing); a variant's empty fields come from its product. */
export interface ListingState {
  google: boolean;
  brand: string;
  image_url: string;
  link_url: string;
  condition: 'new' | 'refurbished' | 'used';
}

export interface ListingJson {
  google: boolean;
  brand: string | null;
  image_url: string | null;
  link_url: string | null;
  condition: ListingState['condition'];
  product_id: string | null;
}

export const blankListing: ListingState = { google: false, brand: '', image_url: '', link_url: '', condition: 'new' };
export const LISTING_FIELDS = ['google', 'brand', 'image_url', 'link_url', 'condition'];

export const fromListing = (l: ListingJson): ListingState => ({ google: l.google, brand: l.brand ?? '', image_url: l.image_url ?? '', link_url: l.link_url ?? '', condition: l.condition });

export function listingBody(l: ListingState) {
  const orNull = (s: string) => s.trim() || null;
  return { google: l.google, brand: orNull(l.brand), image_url: orNull(l.image_url), link_url: orNull(l.link_url), condition: l.condition };
}

export function ListingFields({ value, onValue, errors, variant }: { value: ListingState; onValue(v: ListingState): void; errors: Record<string, string>; variant: boolean }) {
  const set = <K extends keyof ListingState>(key: K) => (v: ListingState[K]) => onValue({ ...value, [key]: v });
  const inherited = variant ? 'Empty: the product’s' : undefined;
  return (
    <fieldset data-testid="item-listing">
      <legend>Online listing</legend>
      <CheckField label="Listed on Google (product feed and Merchant Center)" checked={value.google} onValue={set('google')} hint="Google needs a price, a web page and a picture; see Selling → Google." />
      <div className="grid-3">
        <TextField label="Brand" value={value.brand} onValue={set('brand')} error={errors.brand} hint={inherited} />
        <TextField label="Picture (https address)" type="url" value={value.image_url} onValue={set('image_url')} error={errors.image_url} hint={inherited} />
        <TextField label="Web page (https address)" type="url" value={value.link_url} onValue={set('link_url')} error={errors.link_url} hint={inherited} />
        <SelectField
          label="Condition"
          value={value.condition}
          onValue={(v) => set('condition')(v as ListingState['condition'])}
          error={errors.condition}
          options={[
            { value: 'new', label: 'New' },
            { value: 'refurbished', label: 'Refurbished' },
            { value: 'used', label: 'Used' },
          ]}
        />
      </div>
    </fieldset>
  );
}
