module.exports = require('../../tools/webpack/app-config')('seo', __dirname);
