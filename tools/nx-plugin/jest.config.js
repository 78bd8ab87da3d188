module.exports = {
  displayName: 'nx-plugin',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // The templates under files/ are not specs.
  testPathIgnorePatterns: ['/files/'],
};
