module.exports = {
  displayName: 'outbound',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/outbound',
};
