import { siteConfig } from '@site-config';

const guarantees = [
  {
    title: 'Never overdrawn',
    body: 'Spending is one guarded update under a row lock: two requests at once cannot both spend the last credit.',
  },
  {
    title: 'Paid once, granted once',
    body: 'Every grant is tied to its payment and an idempotency key, so webhook redeliveries and retries change nothing.',
  },
  {
    title: 'Every credit accounted for',
    body: 'An append-only log, enforced by the database, explains every change; the balance always equals its sum.',
  },
  {
    title: 'Fair expiry',
    body: 'Credits that expire soonest are spent first, and each expiry is written to the log with its exact time.',
  },
];

function formatPrice(minor: number, currency: 'USD' | 'CNY'): string {
  return new Intl.NumberFormat(currency === 'USD' ? 'en-US' : 'zh-CN', {
    style: 'currency',
    currency,
  }).format(minor / 100);
}

export default function HomePage() {
  const { registerGift, packs } = siteConfig.credits;
  return (
    <main className="page">
      <header className="hero">
        <p className="eyebrow">Next.js SaaS starter · credits module</p>
        <h1>{siteConfig.name}</h1>
        <p className="lead">{siteConfig.description}</p>
        <p className="gift">
          New accounts receive {registerGift.amount} credits
          {registerGift.expiresInDays ? `, valid for ${registerGift.expiresInDays} days` : ''}.
        </p>
      </header>

      <section aria-labelledby="guarantees-heading">
        <h2 id="guarantees-heading">What the ledger guarantees</h2>
        <ul className="cards">
          {guarantees.map((item) => (
            <li key={item.title} className="card">
              <h3>{item.title}</h3>
              <p>{item.body}</p>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="packs-heading">
        <h2 id="packs-heading">Credit packs</h2>
        <table className="packs">
          <thead>
            <tr>
              <th scope="col">Pack</th>
              <th scope="col">Credits</th>
              <th scope="col">USD</th>
              <th scope="col">CNY</th>
              <th scope="col">Valid for</th>
            </tr>
          </thead>
          <tbody>
            {packs.map((pack) => (
              <tr key={pack.id}>
                <td>{pack.id}</td>
                <td>{pack.credits.toLocaleString('en-US')}</td>
                <td>{formatPrice(pack.price.USD, 'USD')}</td>
                <td>{formatPrice(pack.price.CNY, 'CNY')}</td>
                <td>{pack.expiresInDays ? `${pack.expiresInDays} days` : 'Never expires'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </main>
  );
}
