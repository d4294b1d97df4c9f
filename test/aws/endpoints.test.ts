import t from 'tap';
import { FALLBACK_REGION, resolveStsEndpoint } from '../../src/aws/endpoints.js';

t.test('the SDKs’ order: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile, else the regional default', async (t) => {
  t.equal(resolveStsEndpoint({ sts: 'http://sts', global: 'http://global' }, 'http://profile'), 'http://sts');
  t.equal(resolveStsEndpoint({ global: 'http://global' }, 'http://profile'), 'http://global');
  t.equal(resolveStsEndpoint({}, 'http://profile'), 'http://profile');
  t.equal(resolveStsEndpoint({}), undefined);
});

t.test('empty variables count as unset', async (t) => {
  t.equal(resolveStsEndpoint({ sts: '', global: '' }, 'http://profile'), 'http://profile');
  t.equal(resolveStsEndpoint({ sts: '', global: 'http://global' }), 'http://global');
  t.equal(resolveStsEndpoint({ sts: '', global: '' }, ''), undefined);
});

t.test('the fallback region is the SDKs’ global default', async (t) => {
  t.equal(FALLBACK_REGION, 'us-east-1');
});
