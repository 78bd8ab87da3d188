module.exports = {
  displayName: 'seo',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/apps/seo',
};
